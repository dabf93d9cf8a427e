// Package groundup is exercise 5's reference: groundup's connection loop,
// framework.Server.ServeConn, behind the exercise's interface.
package groundup

import (
	"context"
	"io"
	"log/slog"
	"net"

	"github.com/groundup-go/groundup/docs/course/05-keepalive/conn"
	"github.com/groundup-go/groundup/framework"
)

// ServeConn is conn.ServeConn by framework.Server.ServeConn.
func ServeConn(c net.Conn, h conn.Handler) {
	srv := &framework.Server{
		Handler: func(fc *framework.Ctx) error {
			body, err := io.ReadAll(fc.Body())
			if err != nil {
				return err
			}
			status, text := h(&conn.Request{Method: fc.Method(), Target: fc.Target(), Body: body})
			return fc.String(status, text)
		},
		Logger:     slog.New(slog.DiscardHandler),
		ServerName: "-",
	}
	srv.ServeConn(context.Background(), c)
}
