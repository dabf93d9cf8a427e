package framework

import (
	"errors"
	"runtime/debug"
	"strconv"

	"github.com/groundup-go/groundup/framework/http1"
)

// The response writer: the last box of the pipeline before the socket.
//
// It holds the status and header fields until the first Flush, or until the
// body outgrows its buffer, and then picks the framing from the table in
// framing.go (RFC 9112 §6):
//
//	whole body buffered when the handler returns  → Content-Length
//	handler set Content-Length itself             → identity, exactly that many bytes
//	streamed, HTTP/1.1 client                     → Transfer-Encoding: chunked
//	streamed, HTTP/1.0 client                     → close-delimited: close after the body
//	HEAD request, 1xx, 204 and 304                → no body on the wire
//
// Bytes go to the connection's write buffer; the connection flushes it to
// the socket only before it would block reading, so the responses to
// pipelined requests leave in one syscall. What the writer needs from the
// server (its name, its logger, whether it shuts down) is handed to it at
// reset; whether the connection stays open is the connection's to decide
// (conn.closeAfter).

// MaxBufferedBody is how much of a body the writer holds before it commits
// the head and starts streaming. A body that fits is sent with
// Content-Length.
const MaxBufferedBody = 64 << 10

// wbufFlushSize is the amount of pending output at which the connection
// writes to the socket even in the middle of a response.
const wbufFlushSize = 32 << 10

// ErrBodyNotAllowed is returned by Write for a response that must not carry
// a body (a 1xx, 204 or 304 status).
var ErrBodyNotAllowed = errors.New("groundup: response status does not allow a body")

// ErrHijacked is returned by writes to a response whose connection was
// handed over by Hijack.
var ErrHijacked = errors.New("groundup: connection has been hijacked")

// errInvalidHeader is returned when a header field was refused by
// Header.Set or Header.Add, and the response was turned into a 500.
var errInvalidHeader = errors.New("groundup: refused an invalid response header field")

// errContentLength is returned by Write when the handler writes more bytes
// than the Content-Length it declared.
var errContentLength = errors.New("groundup: wrote more than the declared Content-Length")

// errHookPanicked is the response's error once a BeforeCommit hook has
// panicked and the response was turned into a 500.
var errHookPanicked = errors.New("groundup: a BeforeCommit hook panicked")

type response struct {
	cn     *conn      // the write buffer, and the close decision
	env    *serverEnv // the server's name, logger and shutdown flag
	path   string     // the request path, for the log
	header Header
	status int
	body   []byte // the body while it is buffered

	head  bool // the request was HEAD: no body goes on the wire
	minor int  // the request's minor version

	committed bool  // the head is in the write buffer
	chunked   bool  // body framed with chunked coding
	declared  int64 // Content-Length the handler set, or -1
	size      int64 // body bytes the handler wrote
	err       error // sticky error: once set, writes fail
	hijacked  bool

	beforeCommit []func() // run just before the head is written
	sent         int      // the status of the head that went out; 0 if none did
	after        []func() // run when the response is finished: AfterResponse

	// The end of the usual response's head, for sendUsual: "\r\n" (after
	// the length's digits), the Date and Server lines and the empty line.
	// It is rebuilt when the second turns, and kept across requests.
	tail     []byte
	tailDate *dateLine  // the Date line tail holds
	tailEnv  *serverEnv // the server whose Server line tail holds
}

func (r *response) reset(cn *conn, head bool, minor int, path string) {
	r.cn = cn
	r.env = cn.env
	r.path = path
	r.header.reset()
	r.status = 0
	r.body = r.body[:0]
	r.head = head
	r.minor = minor
	r.committed = false
	r.chunked = false
	r.declared = -1
	r.size = 0
	if r.err != nil { // a test and no store: storing an interface costs a write-barrier check
		r.err = nil
	}
	r.hijacked = false
	if len(r.beforeCommit) > 0 { // most responses have no hooks: skip the clear
		clear(r.beforeCommit)
		r.beforeCommit = r.beforeCommit[:0]
	}
	r.sent = 0
	if len(r.after) > 0 {
		clear(r.after)
		r.after = r.after[:0]
	}
}

// discardBody drops the body buffered so far; it must not be committed.
func (r *response) discardBody() {
	r.body = r.body[:0]
	r.size = 0
}

func (r *response) writeHeader(code int) {
	if r.committed || r.status != 0 {
		return
	}
	if code < 100 || code > 599 { // RFC 9110 §15: three digits, 1xx to 5xx
		code = StatusInternalServerError
	}
	r.status = code
}

func (r *response) statusCode() int {
	if r.status == 0 {
		return StatusOK
	}
	return r.status
}

func (r *response) Write(p []byte) (int, error) {
	if r.err != nil {
		return 0, r.err
	}
	if !bodyAllowed(r.statusCode()) {
		return 0, ErrBodyNotAllowed
	}
	if r.buffers(len(p)) {
		r.keep(p)
		return len(p), nil
	}
	if !r.committed {
		r.commit(false)
		if r.err != nil {
			return 0, r.err
		}
		// Send what was buffered before p, in the framing just chosen.
		if err := r.writeBody(r.body); err != nil {
			return 0, err
		}
		r.body = r.body[:0]
	}
	r.size += int64(len(p))
	if r.declared >= 0 && r.size > r.declared {
		r.err = errContentLength
		return 0, r.err
	}
	if err := r.writeBody(p); err != nil {
		return 0, err
	}
	return len(p), nil
}

// buffers reports whether Write would keep n more bytes in the body
// buffer: no error, a status that allows a body, no head sent, room left,
// and no Content-Length of the handler's, which streams the body.
func (r *response) buffers(n int) bool {
	return r.err == nil && bodyAllowed(r.statusCode()) && !r.committed &&
		len(r.body)+n <= MaxBufferedBody && r.header.special&bitContentLength == 0
}

// keep adds p to the body buffer, where buffers said it fits.
func (r *response) keep(p []byte) {
	r.body = append(r.body, p...)
	r.size += int64(len(p))
}

// writeBody frames p after the head has been committed.
func (r *response) writeBody(p []byte) error {
	if len(p) == 0 || r.head {
		return nil
	}
	cn := r.cn
	if r.chunked {
		cn.wbuf = strconv.AppendInt(cn.wbuf, int64(len(p)), 16)
		cn.wbuf = append(cn.wbuf, "\r\n"...)
		if err := cn.write(p); err != nil {
			return r.fail(err)
		}
		cn.wbuf = append(cn.wbuf, "\r\n"...)
		return nil
	}
	if err := cn.write(p); err != nil {
		return r.fail(err)
	}
	return nil
}

func (r *response) fail(err error) error {
	if r.err == nil {
		r.err = err
	}
	r.cn.closeAfter("response write failed")
	return r.err
}

// flush commits the head if needed and pushes everything to the socket.
func (r *response) flush() error {
	if r.err != nil {
		return r.err
	}
	if !r.committed {
		r.commit(false)
		if r.err != nil {
			return r.err
		}
		if err := r.writeBody(r.body); err != nil {
			return err
		}
		r.body = r.body[:0]
	}
	if err := r.cn.flush(); err != nil {
		return r.fail(err)
	}
	return nil
}

// finish completes the response after the handler has returned. The
// usual response (usualHead) goes out first thing; any other takes end.
func (r *response) finish() {
	if head, code := r.usualHead(); head != "" {
		r.sendUsual(head, code)
		if len(r.after) > 0 {
			r.runAfter(true)
		}
		return
	}
	headPending := !r.committed
	r.end()
	if len(r.after) > 0 {
		r.runAfter(headPending)
	}
}

// end is finish before the AfterResponse hooks.
func (r *response) end() {
	if r.hijacked || r.err == ErrAbortHandler || r.err != nil && r.committed {
		r.cn.closeAfter("response cut short")
		return
	}
	if !r.committed {
		r.commit(true)
		if r.writeBody(r.body) == nil {
			r.body = r.body[:0]
		}
		return
	}
	switch {
	case r.chunked:
		r.cn.wbuf = append(r.cn.wbuf, "0\r\n\r\n"...)
	case r.declared >= 0 && r.size < r.declared && !r.head:
		// The handler promised more than it wrote. The client would wait
		// for the missing bytes, so the connection must end here.
		r.cn.closeAfter("handler wrote less than its Content-Length")
	}
}

// commit appends the status line and header fields to the write buffer.
// whole says the body is complete in r.body, so Content-Length can be sent.
func (r *response) commit(whole bool) {
	if r.committed {
		return
	}
	for i := 0; i < len(r.beforeCommit); i++ { // a hook may add another
		if v, stack := runHook(r.beforeCommit[i]); v != nil {
			// A hook is user code: its panic turns the response into a
			// plain 500, as a refused header field does.
			r.env.log.Error("panic in a BeforeCommit hook; answering 500", "path", r.path, "panic", v, "stack", string(stack))
			r.plainError(StatusInternalServerError)
			r.err = errHookPanicked
			whole = true
			break
		}
	}
	r.committed = true
	if r.header.bad != "" {
		r.refuseHeader()
		whole = true
	}
	code := r.statusCode()
	r.normalizeHeader(code)
	rule := chooseFraming(framingFacts(code, r.head, r.minor, r.declared >= 0, whole, len(r.body)))
	if r.cn.trace != nil {
		r.cn.trace.framed(r, code, rule)
	}
	switch rule.choose {
	case framingNone:
		r.declared = -1
	case framingLength:
		r.declared = int64(len(r.body))
	case framingChunked:
		r.chunked = true
	}
	if rule.close {
		r.cn.closeAfter("body delimited by the end of the connection")
	}
	if r.env.shut.Load() {
		r.cn.closeAfter("server shutting down")
	}
	r.markSent(code)
	// A length declared without a field of the handler's (Blob's) is
	// written by us too.
	r.writeHead(code, rule.choose == framingLength || rule.choose == framingDeclared && r.header.special&bitContentLength == 0)
	if r.err != nil {
		// The response became a plain 500 (a refused field, a hook's
		// panic): its body goes out now, since writes fail from here.
		r.writeBody(r.body)
		r.body = r.body[:0]
	}
}

// refuseHeader turns a response that holds a refused header field into a
// plain 500.
func (r *response) refuseHeader() {
	r.env.log.Error("refused response header field; answering 500", "field", r.header.bad, "path", r.path)
	r.plainError(StatusInternalServerError)
	r.err = errInvalidHeader
}

// plainError replaces the status, the fields and the buffered body with a
// plain-text answer of code: the last resort when user code that should
// have answered (an error handler, a hook) panicked instead.
func (r *response) plainError(code int) {
	r.header.keepOnly(keptOnRefusal)
	r.status = code
	r.body = append(r.body[:0], strconv.Itoa(code)+" "+StatusText(code)+"\n"...)
	r.size = int64(len(r.body))
	r.header.Set("Content-Type", "text/plain; charset=utf-8")
	r.header.Set("X-Content-Type-Options", "nosniff")
}

// runHook runs a BeforeCommit hook and returns what it panicked with.
func runHook(fn func()) (panicked any, stack []byte) {
	defer func() {
		if panicked = recover(); panicked != nil {
			stack = debug.Stack()
		}
	}()
	fn()
	return nil, nil
}

// normalizeHeader takes from the handler's fields what framing and
// connection management decide: Content-Length is read (or dropped when
// invalid, or where the status forbids it), Transfer-Encoding is always
// ours, and "Connection: close" is honoured, then the field is ours to
// write. Only a 101 keeps the handler's Connection (Upgrade).
func (r *response) normalizeHeader(code int) {
	h := &r.header
	if h.special&bitContentLength != 0 {
		n, err := strconv.ParseInt(h.Get("Content-Length"), 10, 64)
		switch {
		case err != nil || n < 0:
			h.Del("Content-Length")
		case bodyAllowed(code):
			r.declared = n
		case code != StatusNotModified:
			// RFC 9110 §8.6: no Content-Length on 1xx or 204. A 304
			// may repeat the selected representation's length.
			h.Del("Content-Length")
		}
	}
	if h.special&bitTransferEncoding != 0 {
		h.Del("Transfer-Encoding")
	}
	if h.special&bitConnection != 0 && code != StatusSwitchingProtocols {
		if http1.ListHas(h.Get("Connection"), "close") {
			r.cn.closeAfter("handler sent Connection: close")
		}
		h.Del("Connection")
	}
}

// writeHead appends the status line and the fields. sendLength appends
// Content-Length: r.declared, as digits: no string to allocate.
func (r *response) writeHead(code int, sendLength bool) {
	cn := r.cn
	h := &r.header
	cn.wbuf = appendStatusLine(cn.wbuf, code)
	for _, f := range h.fields {
		cn.wbuf = appendField(cn.wbuf, f.Name, f.Value)
	}
	if sendLength {
		cn.wbuf = append(cn.wbuf, "Content-Length: "...)
		cn.wbuf = appendLength(cn.wbuf, r.declared)
		cn.wbuf = append(cn.wbuf, '\r', '\n')
	}
	if r.chunked {
		cn.wbuf = append(cn.wbuf, "Transfer-Encoding: chunked\r\n"...)
	}
	if h.special&bitDate == 0 {
		cn.wbuf = appendDate(cn.wbuf)
	}
	if h.special&bitServer == 0 {
		cn.wbuf = append(cn.wbuf, r.env.serverLine...)
	}
	switch {
	case code == StatusSwitchingProtocols:
	case cn.closeReason != "":
		cn.wbuf = append(cn.wbuf, "Connection: close\r\n"...)
	case r.minor == 0:
		// A 1.0 client closes unless told otherwise (RFC 9112 §9.3).
		cn.wbuf = append(cn.wbuf, "Connection: keep-alive\r\n"...)
	}
	cn.wbuf = append(cn.wbuf, '\r', '\n')
}

// appendField appends one field line. The two-byte separators go in as
// bytes: appending a string calls memmove, which costs more than the
// bytes.
func appendField(dst []byte, name, value string) []byte {
	dst = append(dst, name...)
	dst = append(dst, ':', ' ')
	dst = append(dst, value...)
	return append(dst, '\r', '\n')
}

// appendLength appends n in decimal. Lengths under 10,000 bytes, most
// of them, are written digit by digit, without strconv's general path.
func appendLength(dst []byte, n int64) []byte {
	u := uint64(n)
	switch {
	case u < 10:
		return append(dst, byte('0'+u))
	case u < 100:
		return append(dst, byte('0'+u/10), byte('0'+u%10))
	case u < 1000:
		return append(dst, byte('0'+u/100), byte('0'+u/10%10), byte('0'+u%10))
	case u < 10000:
		return append(dst, byte('0'+u/1000), byte('0'+u/100%10), byte('0'+u/10%10), byte('0'+u%10))
	}
	return strconv.AppendInt(dst, n, 10)
}

// TimeFormat is the format of HTTP dates (RFC 9110 §5.6.7, IMF-fixdate).
const TimeFormat = "Mon, 02 Jan 2006 15:04:05 GMT"
