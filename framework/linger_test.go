package framework_test

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/groundup-go/groundup/framework"
)

// The lingering close (RFC 9112 §9.6): a response the server closes after
// must reach the client whole, even when the client is still sending.

// A slow reader asks for 1 MiB with Connection: close and keeps sending
// bytes the server never reads; the whole response must still arrive.
func TestLingeringCloseSlowReaderKeepsSending(t *testing.T) {
	big := bytes.Repeat([]byte("0123456789abcdef"), 1<<16) // 1 MiB
	app := framework.New()
	app.GET("/big", func(c *framework.Ctx) error { return c.Blob(200, "application/octet-stream", big) })
	addr, _, _ := startServer(t, app.Serve)
	for try := range 3 {
		nc, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		nc.SetDeadline(time.Now().Add(10 * time.Second))
		io.WriteString(nc, "GET /big HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
		stop := make(chan struct{})
		sent := make(chan struct{})
		go func() { // the client that keeps sending
			defer close(sent)
			junk := bytes.Repeat([]byte("x"), 1024)
			for range 256 {
				select {
				case <-stop:
					return
				case <-time.After(time.Millisecond):
				}
				if _, err := nc.Write(junk); err != nil {
					return
				}
			}
		}()
		br := bufio.NewReaderSize(slowReader{nc}, 4096)
		res, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatalf("try %d: %v", try, err)
		}
		got, err := io.ReadAll(res.Body)
		close(stop)
		<-sent
		nc.Close()
		if err != nil || !bytes.Equal(got, big) {
			t.Fatalf("try %d: got %d of %d bytes, err %v", try, len(got), len(big), err)
		}
	}
}

// slowReader reads at most 8 KiB at a time and pauses between reads.
type slowReader struct{ r io.Reader }

func (s slowReader) Read(p []byte) (int, error) {
	time.Sleep(200 * time.Microsecond)
	return s.r.Read(p[:min(len(p), 8<<10)])
}

// A Go client posting a body over the limit gets the 413, not a broken
// pipe or a reset, every time: with a declared length (refused before the
// handler) and chunked (refused by the handler's read).
func TestLingeringCloseOverLimitBodyGets413(t *testing.T) {
	app := framework.New()
	app.POST("/upload", func(c *framework.Ctx) error {
		_, err := io.ReadAll(c.Body())
		if err != nil {
			return err
		}
		return c.String(200, "stored")
	})
	addr, _, _ := startServer(t, app.Serve, func(s *framework.Server) { s.MaxBodyBytes = 1 << 10 })
	// A client that sends its whole body before it reads anything.
	for try := range 5 {
		nc, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		nc.SetDeadline(time.Now().Add(10 * time.Second))
		io.WriteString(nc, "POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 921600\r\n\r\n")
		chunk := bytes.Repeat([]byte("z"), 64<<10)
		for sent := 0; sent < 900<<10; sent += len(chunk) {
			if _, err := nc.Write(chunk); err != nil {
				t.Fatalf("try %d: writing the body after %d bytes: %v", try, sent, err)
			}
		}
		res, err := http.ReadResponse(bufio.NewReader(nc), nil)
		nc.Close()
		if err != nil || res.StatusCode != 413 {
			t.Fatalf("try %d: %v %v, want 413", try, res, err)
		}
	}
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{}}
	defer client.CloseIdleConnections()
	body := strings.Repeat("z", 900<<10)
	for try := range 50 {
		var rd io.Reader = strings.NewReader(body)
		if try%2 == 1 {
			rd = io.MultiReader(rd) // no length known: sent chunked
		}
		res, err := client.Post("http://"+addr+"/upload", "text/plain", rd)
		if err != nil {
			t.Fatalf("try %d: %v", try, err)
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode != 413 {
			t.Fatalf("try %d: status %d, want 413", try, res.StatusCode)
		}
	}
}
