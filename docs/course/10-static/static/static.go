// Package static is exercise 10 of the groundup course: serving files with
// HTTP's caching rules: validators (ETag, Last-Modified), conditional
// requests (304, 412), and byte ranges (206, 416). Read
// docs/course/10-static/README.md, then replace the body of Serve until
// `GROUNDUP_COURSE=mine go test ./docs/course/10-static/...` passes.
package static

import (
	"io/fs"
)

// Request is what the file server reads from a request.
type Request struct {
	Method string            // GET or HEAD
	Path   string            // decoded, starting with '/': "/css/site.css" names the file "css/site.css"
	Header map[string]string // request fields, canonical names ("If-None-Match", "Range", …)
}

// Response is what the file server answers. The connection layer frames it.
type Response struct {
	Status int
	Header map[string]string // canonical names
	Body   string            // none for HEAD and 304; for an error status, a short text of your choice
}

// Serve answers req from fsys. Missing files and directories are 404.
func Serve(fsys fs.FS, req Request) Response {
	return Response{}
}
