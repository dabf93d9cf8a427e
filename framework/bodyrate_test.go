package framework_test

import (
	"bytes"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/groundup-go/groundup/framework"
)

// Server.MinBodyRate: a body that trickles in is cut after its grace,
// long before ReadTimeout, while a slow but steady upload goes through.
func TestMinBodyRate(t *testing.T) {
	app := framework.New()
	app.POST("/upload", func(c *framework.Ctx) error {
		b, err := io.ReadAll(c.Body())
		if err != nil {
			return err
		}
		return c.String(200, "got "+string(rune('0'+len(b)/100)))
	})
	addr, _, logs := startServer(t, app.Serve, func(s *framework.Server) {
		s.ReadTimeout = time.Minute
		s.MinBodyRate = 100 // bytes per second
		s.MinBodyRateGrace = 300 * time.Millisecond
	})
	tests := []struct {
		name  string
		chunk int           // bytes per write
		every time.Duration // pause between writes
		want  string
	}{
		// One byte per 250 ms is 4 B/s: cut once the grace is spent.
		{"trickle", 1, 250 * time.Millisecond, "408 Request Timeout"},
		// 50 bytes per 50 ms is 1000 B/s, ten times the minimum.
		{"slow upload", 50, 50 * time.Millisecond, "got 5"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			nc, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			defer nc.Close()
			nc.SetDeadline(time.Now().Add(30 * time.Second))
			io.WriteString(nc, "POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 500\r\nConnection: close\r\n\r\n")
			go func() {
				chunk := bytes.Repeat([]byte("b"), tt.chunk)
				for sent := 0; sent < 500; sent += tt.chunk {
					time.Sleep(tt.every)
					if _, err := nc.Write(chunk); err != nil {
						return
					}
				}
			}()
			out, _ := io.ReadAll(nc)
			if !strings.Contains(string(out), tt.want) {
				t.Errorf("got:\n%s\nwant %q", out, tt.want)
			}
		})
	}
	if !strings.Contains(logs.String(), "request body too slow") {
		t.Errorf("no log line for the cut body:\n%s", logs)
	}
}
