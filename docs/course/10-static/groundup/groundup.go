// Package groundup is exercise 10's reference: groundup's FileServer
// (framework/static.go and conditional.go), registered on an App and run
// in memory, behind the exercise's interface.
package groundup

import (
	"io/fs"
	"net/url"
	"strings"

	"github.com/groundup-go/groundup/docs/course/10-static/static"
	"github.com/groundup-go/groundup/framework"
	"github.com/groundup-go/groundup/framework/frameworktest"
)

// Serve is static.Serve by framework.FileServer.
func Serve(fsys fs.FS, req static.Request) static.Response {
	app := framework.New()
	app.GET("/*filepath", framework.FileServer(fsys, framework.StaticConfig{}))
	target := (&url.URL{Path: req.Path}).EscapedPath()
	r := frameworktest.NewRequest(req.Method, target)
	for k, v := range req.Header {
		r.Set(k, v)
	}
	res := frameworktest.Test(app.Serve, r)
	out := static.Response{Status: res.Status, Header: map[string]string{}, Body: string(res.Body)}
	for _, f := range res.Header.Fields() {
		out.Header[canonical(f.Name)] = f.Value
	}
	return out
}

func canonical(name string) string {
	parts := strings.Split(strings.ToLower(name), "-")
	for i, p := range parts {
		if p != "" {
			parts[i] = strings.ToUpper(p[:1]) + p[1:]
		}
	}
	s := strings.Join(parts, "-")
	if s == "Etag" {
		s = "ETag"
	}
	return s
}
