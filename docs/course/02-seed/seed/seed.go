// Package seed is exercise 2 of the groundup course: the seed's web
// server, written on the socket alone. It answers GET / with a page that
// shows /test.jpg, GET /test.jpg with the picture, and POST /register with
// a "register success" page. Read docs/course/02-seed/README.md, then
// replace the body of Serve until
// `GROUNDUP_COURSE=mine go test ./docs/course/02-seed/...` passes.
package seed

import (
	"bytes"
	"errors"
	"image"
	"image/color"
	"image/jpeg"
	"net"
	"sync"
)

// ErrNotImplemented is what the untouched skeleton returns.
var ErrNotImplemented = errors.New("seed: not implemented")

// Serve accepts connections on ln until ln is closed and answers one HTTP
// request on each, then closes it:
//
//	GET /              200, text/html, a page with <img src="/test.jpg">
//	GET /test.jpg      200, image/jpeg, the bytes of Picture()
//	POST /register     200, text/html, a page saying "register success"
//	                   (the form's name and email, HTML-escaped)
//	anything else      404; a request that does not parse: 400
//
// It returns the error that stopped Accept.
func Serve(ln net.Listener) error {
	return ErrNotImplemented
}

// Picture returns the JPEG to serve at /test.jpg: a 160×90 gradient, made
// once. It is given, not part of the exercise.
func Picture() []byte {
	pictureOnce.Do(func() {
		img := image.NewRGBA(image.Rect(0, 0, 160, 90))
		for y := range 90 {
			for x := range 160 {
				img.Set(x, y, color.RGBA{uint8(255 * x / 160), uint8(255 * y / 90), 160, 255})
			}
		}
		var b bytes.Buffer
		if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 85}); err != nil {
			panic(err) // encoding to memory fails only if the encoder is broken
		}
		picture = b.Bytes()
	})
	return picture
}

var (
	pictureOnce sync.Once
	picture     []byte
)
