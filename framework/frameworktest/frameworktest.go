// Package frameworktest runs requests through a framework.Server in
// memory, as net/http/httptest does for net/http. Requests go through the
// same connection loop, parser, router, handler and response writer as on
// a socket, over an in-memory connection (Server.ServeConn): a test sees
// exactly the bytes a client would.
//
//	res := frameworktest.Test(app.Serve, frameworktest.NewRequest("GET", "/hello"))
//	res.Status, res.Header.Get("Content-Type"), string(res.Body)
//
// A Client keeps state between requests as a browser does (cookies, the
// CSRF token of the last page, redirects) and shows the server's log when
// a response is a 5xx. Do returns the log beside the response, and Listen
// serves on a loopback port for clients that need a real socket.
package frameworktest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"mime/multipart"
	"net/url"
	"strconv"
	"strings"

	"github.com/groundup-go/groundup/framework"
)

// ServeBytes runs raw request bytes, one request or several pipelined,
// through srv's connection loop in memory (srv.ServeConn) and returns
// every byte the server wrote. The end of raw acts as the client closing
// its side of the connection once the server waits for another request.
func ServeBytes(srv *framework.Server, raw []byte) []byte {
	mc := &memConn{in: raw}
	srv.ServeConn(context.Background(), mc)
	return mc.out.Bytes()
}

// Raw is ServeBytes on a Server with default limits and h as handler.
func Raw(h framework.Handler, raw string) string {
	return string(ServeBytes(&framework.Server{Handler: h, Logger: discard}, []byte(raw)))
}

// Test sends req through h in memory and parses the response.
func Test(h framework.Handler, req *Request) *Response {
	return parseOne(ServeBytes(&framework.Server{Handler: h, Logger: discard}, req.Bytes()), req.Method == "HEAD")
}

// parseOne parses the first response in out; a response that does not
// parse comes back with Err set.
func parseOne(out []byte, head bool) *Response {
	res, err := ParseResponses(out, head)
	if err != nil || len(res) == 0 {
		if err == nil {
			err = errors.New("no response")
		}
		return &Response{Raw: out, Err: fmt.Errorf("frameworktest: unreadable response: %v", err)}
	}
	return res[0]
}

// discard drops what the server logs during Test and Raw; a test that
// wants the log calls Do or uses a Client.
var discard = slog.New(slog.DiscardHandler)

// Request builds a request for Test.
type Request struct {
	Method string
	Target string
	Header framework.Header
	Body   []byte
}

// NewRequest returns a request with the Host header set to
// "example.com".
func NewRequest(method, target string) *Request {
	r := &Request{Method: method, Target: target}
	r.Header.Set("Host", "example.com")
	return r
}

// Set sets a request header field.
func (r *Request) Set(name, value string) *Request {
	r.Header.Set(name, value)
	return r
}

// WithBody sets a body and its content type.
func (r *Request) WithBody(contentType string, body []byte) *Request {
	r.Header.Set("Content-Type", contentType)
	r.Body = body
	return r
}

// WithForm sets an application/x-www-form-urlencoded body.
func (r *Request) WithForm(form url.Values) *Request {
	return r.WithBody("application/x-www-form-urlencoded", []byte(form.Encode()))
}

// WithJSON sets v, encoded, as an application/json body.
func (r *Request) WithJSON(v any) *Request {
	b, err := json.Marshal(v)
	if err != nil {
		panic("frameworktest: WithJSON: " + err.Error())
	}
	return r.WithBody("application/json", b)
}

// File is a file part of a multipart test body.
type File struct {
	Field, Name string
	Content     []byte
}

// WithMultipart sets a multipart/form-data body with fields and files.
func (r *Request) WithMultipart(fields url.Values, files ...File) *Request {
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for k, vs := range fields {
		for _, v := range vs {
			mw.WriteField(k, v)
		}
	}
	for _, f := range files {
		w, _ := mw.CreateFormFile(f.Field, f.Name)
		w.Write(f.Content)
	}
	mw.Close()
	return r.WithBody(mw.FormDataContentType(), b.Bytes())
}

// Bytes returns the request as it goes on the wire, with Content-Length
// set from the body.
func (r *Request) Bytes() []byte {
	var b bytes.Buffer
	b.WriteString(r.Method + " " + r.Target + " HTTP/1.1\r\n")
	for _, f := range r.Header.Fields() {
		b.WriteString(f.Name + ": " + f.Value + "\r\n")
	}
	if len(r.Body) > 0 && !r.Header.Has("Content-Length") {
		b.WriteString("Content-Length: " + strconv.Itoa(len(r.Body)) + "\r\n")
	}
	b.WriteString("\r\n")
	b.Write(r.Body)
	return b.Bytes()
}

// Response is a parsed response.
type Response struct {
	Status int
	Header framework.Header
	Body   []byte
	Raw    []byte // the whole response as sent, 1xx responses included
	Err    error  // set when the server's bytes did not parse

	// URL is the target that answered: after a Client followed
	// redirects, the last one.
	URL string
	// Log holds the JSON lines the server logged while it served this
	// request (Do and Client fill it in).
	Log []string
	// Trace is the request's trace, from TraceTest; nil otherwise.
	Trace *framework.Trace
}

// ParseResponses reads every response in raw, as a client would: 1xx
// interim responses are folded into the final one's Raw, bodies are framed
// by Content-Length, chunked coding, or the end of raw. head says the
// request was HEAD, whose responses have no body.
func ParseResponses(raw []byte, head bool) ([]*Response, error) {
	var out []*Response
	start := 0
	for start < len(raw) {
		res := &Response{}
		rest := raw[start:]
		end := bytes.Index(rest, []byte("\r\n\r\n"))
		if end < 0 {
			return out, errors.New("response head not terminated")
		}
		lines := strings.Split(string(rest[:end]), "\r\n")
		proto, status, _ := strings.Cut(lines[0], " ")
		code, _, _ := strings.Cut(status, " ")
		n, err := strconv.Atoi(code)
		if proto != "HTTP/1.1" || err != nil {
			return out, fmt.Errorf("bad status line %q", lines[0])
		}
		res.Status = n
		for _, l := range lines[1:] {
			name, value, ok := strings.Cut(l, ":")
			if !ok {
				return out, fmt.Errorf("bad header line %q", l)
			}
			res.Header.Add(name, strings.TrimSpace(value))
		}
		pos := end + 4
		switch {
		case n < 200:
			start += pos
			continue
		case head || n == framework.StatusNoContent || n == framework.StatusNotModified:
		case strings.EqualFold(res.Header.Get("Transfer-Encoding"), "chunked"):
			body, used, err := dechunk(rest[pos:])
			if err != nil {
				return out, err
			}
			res.Body, pos = body, pos+used
		case res.Header.Has("Content-Length"):
			cl, err := strconv.Atoi(res.Header.Get("Content-Length"))
			if err != nil || cl < 0 || pos+cl > len(rest) {
				return out, fmt.Errorf("body shorter than Content-Length %q", res.Header.Get("Content-Length"))
			}
			res.Body, pos = rest[pos:pos+cl], pos+cl
		default:
			res.Body, pos = rest[pos:], len(rest)
		}
		res.Raw = raw[start : start+pos]
		if len(out) == 0 && start > 0 {
			res.Raw = raw[:start+pos] // keep the 1xx lines in view
		}
		out = append(out, res)
		start += pos
	}
	return out, nil
}

func dechunk(b []byte) (body []byte, used int, err error) {
	for {
		line, _, ok := bytes.Cut(b[used:], []byte("\r\n"))
		if !ok {
			return nil, 0, errors.New("chunk size line not terminated")
		}
		hexSize, _, _ := bytes.Cut(line, []byte(";"))
		size, err := strconv.ParseInt(string(hexSize), 16, 64)
		if err != nil {
			return nil, 0, fmt.Errorf("bad chunk size %q", line)
		}
		used += len(line) + 2
		if size == 0 {
			end := bytes.Index(b[used:], []byte("\r\n"))
			for end > 0 { // skip trailer fields
				used += end + 2
				end = bytes.Index(b[used:], []byte("\r\n"))
			}
			if end < 0 {
				return nil, 0, errors.New("chunked body not terminated")
			}
			return body, used + 2, nil
		}
		if used+int(size)+2 > len(b) {
			return nil, 0, errors.New("chunk shorter than its size")
		}
		body = append(body, b[used:used+int(size)]...)
		used += int(size) + 2
	}
}

// Get returns a header value of the response.
func (r *Response) Get(name string) string { return r.Header.Get(name) }
