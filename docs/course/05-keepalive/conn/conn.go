// Package conn is exercise 5 of the groundup course: the connection loop.
// It reads requests from one connection, one after another, hands each to
// a handler, writes the responses in order, and decides after each one
// whether the connection stays open. Read docs/course/05-keepalive/README.md,
// then replace the body of ServeConn until
// `GROUNDUP_COURSE=mine go test ./docs/course/05-keepalive/...` passes.
package conn

import (
	"net"
)

// Request is what the loop gives the handler: the request line's method
// and target, and the whole body, already de-framed (Content-Length or
// chunked).
type Request struct {
	Method string
	Target string
	Body   []byte
}

// Handler answers one request with a status code and a text body.
type Handler func(r *Request) (status int, body string)

// ServeConn serves requests on c until the client closes the connection,
// a request asks to close it, or a request does not parse (answer 400,
// then close). Every response has a Content-Length, and "Connection:
// close" when the server closes after it. ServeConn closes c before it
// returns.
func ServeConn(c net.Conn, h Handler) {
	// Not implemented: the skeleton returns at once.
}
