// Package groundup is exercise 6's reference: groundup's response writer,
// driven through a real connection loop in memory
// (frameworktest.ServeBytes), behind the exercise's interface.
package groundup

import (
	"bytes"
	"fmt"
	"io"
	"log/slog"

	"github.com/groundup-go/groundup/docs/course/06-framing/framing"
	"github.com/groundup-go/groundup/framework"
	"github.com/groundup-go/groundup/framework/frameworktest"
)

// Write is framing.Write by groundup's response writer: it sends a request
// with req's method, version and Connection, runs h as a handler, and
// copies the bytes the server wrote.
func Write(w io.Writer, req framing.Request, h framing.Handler) (bool, error) {
	conn := ""
	switch {
	case req.Close && req.Minor == 1:
		conn = "Connection: close\r\n"
	case !req.Close && req.Minor == 0:
		conn = "Connection: keep-alive\r\n"
	}
	raw := fmt.Sprintf("%s / HTTP/1.%d\r\nHost: x\r\n%s\r\n", req.Method, req.Minor, conn)
	srv := &framework.Server{
		Handler: func(c *framework.Ctx) error {
			for _, f := range h.Header {
				c.Header().Add(f.Name, f.Value)
			}
			c.Status(h.Status)
			for _, s := range h.Writes {
				// A write the status forbids (204, 304) fails with
				// ErrBodyNotAllowed; the handler here carries on, as a
				// careless one would, and the writer keeps the body off
				// the wire.
				c.WriteString(s)
				if h.Flush {
					c.Flush()
				}
			}
			return nil
		},
		Logger:     slog.New(slog.DiscardHandler),
		ServerName: "-",
	}
	out := frameworktest.ServeBytes(srv, []byte(raw))
	_, err := w.Write(out)
	// The server closed after the response when it said so.
	head, _, _ := bytes.Cut(out, []byte("\r\n\r\n"))
	return bytes.Contains(bytes.ToLower(head), []byte("\r\nconnection: close")), err
}
