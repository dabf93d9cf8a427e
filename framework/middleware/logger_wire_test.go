package middleware_test

import (
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/groundup-go/groundup/framework"
	"github.com/groundup-go/groundup/framework/frameworktest"
	"github.com/groundup-go/groundup/framework/middleware"
)

// TestLoggerClientReset: a client that resets the connection in the
// middle of its body gets nothing, and the log must not claim the 400
// that the body error would have been answered with.
func TestLoggerClientReset(t *testing.T) {
	reqLogs := &frameworktest.Logs{}
	app := framework.New()
	app.Use(middleware.Logger(reqLogs.Logger()))
	read := make(chan struct{})
	app.POST("/upload", func(c *framework.Ctx) error {
		close(read)
		_, err := io.ReadAll(c.Body())
		return err
	})
	addr, _ := frameworktest.Listen(t, app.Serve)
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(nc, "POST /upload HTTP/1.1\r\nHost: a\r\nContent-Length: 1000\r\n\r\npart of it")
	<-read
	nc.(*net.TCPConn).SetLinger(0) // Close sends RST
	nc.Close()
	for range 500 { // bounded: at most 5 s
		if strings.Contains(reqLogs.String(), `"msg":"request"`) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	l := reqLogs.Find(t, "request")
	if l == nil {
		t.Fatalf("no request line:\n%s", reqLogs)
	}
	if l["status"] != float64(0) || l["level"] != "WARN" {
		t.Errorf("a reset client logged as status %v at %v, want 0 at WARN", l["status"], l["level"])
	}
}
