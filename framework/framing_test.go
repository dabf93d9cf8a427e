package framework_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/groundup-go/groundup/framework"
	"github.com/groundup-go/groundup/framework/frameworktest"
)

// framingCase is one response: what the client sent and what the handler
// did on the left, the exact bytes on the wire on the right.
type framingCase struct {
	method   string // GET or HEAD
	minor    int    // HTTP/1.minor; a 1.0 request asks for keep-alive
	status   int
	declared int    // Content-Length the handler sets, or -1
	body     string // what the handler writes
	flush    bool   // the handler flushes after writing: the body streams
	want     string
}

const framingDate = "Date: Mon, 02 Jan 2006 15:04:05 GMT\r\n"

// TestFramingTable holds every row of framingRules (framing.go) to the
// exact response bytes, for HTTP/1.0 and 1.1, GET and HEAD.
func TestFramingTable(t *testing.T) {
	d := framingDate
	tests := []framingCase{
		// Row 0: 1xx, 204 and 304 end with their head.
		{"GET", 1, 204, -1, "", false, "HTTP/1.1 204 No Content\r\n" + d + "\r\n"},
		{"GET", 1, 204, 5, "", false, "HTTP/1.1 204 No Content\r\n" + d + "\r\n"},
		{"GET", 0, 204, -1, "", false, "HTTP/1.1 204 No Content\r\n" + d + "Connection: keep-alive\r\n\r\n"},
		{"GET", 1, 304, 5, "", false, "HTTP/1.1 304 Not Modified\r\n" + d + "Content-Length: 5\r\n\r\n"},
		{"HEAD", 1, 304, -1, "", false, "HTTP/1.1 304 Not Modified\r\n" + d + "\r\n"},
		{"GET", 1, 103, -1, "", false, "HTTP/1.1 103 \r\n" + d + "\r\n"},
		{"GET", 1, 204, -1, "", true, "HTTP/1.1 204 No Content\r\n" + d + "\r\n"},
		// Row 1: the handler's own Content-Length.
		{"GET", 1, 200, 5, "hello", false, "HTTP/1.1 200 OK\r\n" + d + "Content-Length: 5\r\n\r\nhello"},
		{"GET", 1, 200, 5, "hello", true, "HTTP/1.1 200 OK\r\n" + d + "Content-Length: 5\r\n\r\nhello"},
		{"GET", 0, 200, 5, "hello", true, "HTTP/1.1 200 OK\r\n" + d + "Content-Length: 5\r\nConnection: keep-alive\r\n\r\nhello"},
		{"HEAD", 1, 200, 5, "", false, "HTTP/1.1 200 OK\r\n" + d + "Content-Length: 5\r\n\r\n"},
		{"HEAD", 0, 200, 5, "hello", true, "HTTP/1.1 200 OK\r\n" + d + "Content-Length: 5\r\nConnection: keep-alive\r\n\r\n"},
		// Row 2: HEAD, and the handler wrote nothing: no length.
		{"HEAD", 1, 200, -1, "", false, "HTTP/1.1 200 OK\r\n" + d + "\r\n"},
		{"HEAD", 0, 200, -1, "", false, "HTTP/1.1 200 OK\r\n" + d + "Connection: keep-alive\r\n\r\n"},
		// Row 3: the whole body buffered: Content-Length.
		{"GET", 1, 200, -1, "hello", false, "HTTP/1.1 200 OK\r\n" + d + "Content-Length: 5\r\n\r\nhello"},
		{"GET", 1, 200, -1, "", false, "HTTP/1.1 200 OK\r\n" + d + "Content-Length: 0\r\n\r\n"},
		{"GET", 0, 200, -1, "hello", false, "HTTP/1.1 200 OK\r\n" + d + "Content-Length: 5\r\nConnection: keep-alive\r\n\r\nhello"},
		{"HEAD", 1, 200, -1, "hello", false, "HTTP/1.1 200 OK\r\n" + d + "Content-Length: 5\r\n\r\n"},
		{"HEAD", 0, 200, -1, "hello", false, "HTTP/1.1 200 OK\r\n" + d + "Content-Length: 5\r\nConnection: keep-alive\r\n\r\n"},
		{"HEAD", 0, 304, -1, "", false, "HTTP/1.1 304 Not Modified\r\n" + d + "Connection: keep-alive\r\n\r\n"},
		{"GET", 1, 404, -1, "gone", false, "HTTP/1.1 404 Not Found\r\n" + d + "Content-Length: 4\r\n\r\ngone"},
		// Row 4: HEAD, streamed: the length is unknown, and not sent.
		{"HEAD", 1, 200, -1, "hello", true, "HTTP/1.1 200 OK\r\n" + d + "\r\n"},
		{"HEAD", 0, 200, -1, "hello", true, "HTTP/1.1 200 OK\r\n" + d + "Connection: keep-alive\r\n\r\n"},
		// Row 5: streamed to HTTP/1.1: chunked.
		{"GET", 1, 200, -1, "hello", true, "HTTP/1.1 200 OK\r\n" + d + "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"},
		{"GET", 1, 200, -1, "", true, "HTTP/1.1 200 OK\r\n" + d + "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n"},
		// Row 6: streamed to HTTP/1.0: the body ends with the connection.
		{"GET", 0, 200, -1, "hello", true, "HTTP/1.1 200 OK\r\n" + d + "Connection: close\r\n\r\nhello"},
		{"GET", 0, 500, -1, "", true, "HTTP/1.1 500 Internal Server Error\r\n" + d + "Connection: close\r\n\r\n"},
	}
	covered := map[int]bool{}
	var rules int
	for _, tt := range tests {
		name := tt.method + " 1." + strconv.Itoa(tt.minor) + " " + strconv.Itoa(tt.status) +
			" declared=" + strconv.Itoa(tt.declared) + " body=" + strconv.Quote(tt.body) + " flush=" + strconv.FormatBool(tt.flush)
		t.Run(name, func(t *testing.T) {
			if got := serveFraming(tt); got != tt.want {
				t.Errorf("got\n%q\nwant\n%q", got, tt.want)
			}
		})
		var row int
		row, rules = framework.FramingRule(tt.status, tt.method == "HEAD", tt.minor, tt.declared >= 0, !tt.flush, len(tt.body))
		covered[row] = true
	}
	for i := range rules {
		if !covered[i] {
			t.Errorf("framing rule %d has no case", i)
		}
	}
}

// serveFraming runs one framingCase through a Server and returns the
// bytes it wrote.
func serveFraming(tt framingCase) string {
	srv := &framework.Server{ServerName: "-", Logger: testLogger, Handler: func(c *framework.Ctx) error {
		c.Header().Set("Date", strings.TrimSuffix(strings.TrimPrefix(framingDate, "Date: "), "\r\n"))
		if tt.declared >= 0 {
			c.Header().Set("Content-Length", strconv.Itoa(tt.declared))
		}
		c.Status(tt.status)
		if tt.body != "" {
			if _, err := c.WriteString(tt.body); err != nil {
				return err
			}
		}
		if tt.flush {
			return c.Flush()
		}
		return nil
	}}
	req := tt.method + " / HTTP/1." + strconv.Itoa(tt.minor) + "\r\nHost: x\r\n"
	if tt.minor == 0 {
		req += "Connection: keep-alive\r\n"
	}
	return string(frameworktest.ServeBytes(srv, []byte(req+"\r\n")))
}
