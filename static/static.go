// Package static embeds the app's static files (CSS, JavaScript, the
// seed demo's test.jpg and the favicons) into the binary, so that
// `go run ./app` serves them from any working directory.
package static

import "embed"

// FS holds the files of this directory, named as they are here:
// "css/app.css", "js/live.js", "test.jpg", "favicon.ico", "favicon.svg".
//
//go:embed css js *.jpg *.ico *.svg
var FS embed.FS
