package http1

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"unsafe"
)

// okCases are requests Parse must accept, with the exact Head it must
// produce. Raw is filled in by the test (the input without leading empty
// lines, up to n). n is the number of bytes consumed, len(in) when zero.
var okCases = []struct {
	name string
	in   string
	lim  Limits
	n    int
	want Head
	rfc  string
}{
	{"origin-form GET", "GET /index.html HTTP/1.1\r\nHost: example.com\r\n\r\n", Limits{}, 0,
		Head{Method: "GET", Target: "/index.html", Path: "/index.html", Host: "example.com", Minor: 1,
			Fields: []Field{{"Host", "example.com"}}, ContentLength: -1}, "RFC 9112 §3.2.1"},
	{"query split off", "GET /search?q=go&page=2 HTTP/1.1\r\nHost: example.com\r\n\r\n", Limits{}, 0,
		Head{Method: "GET", Target: "/search?q=go&page=2", Path: "/search", RawQuery: "q=go&page=2", Host: "example.com", Minor: 1,
			Fields: []Field{{"Host", "example.com"}}, ContentLength: -1}, "RFC 9112 §3.2.1"},
	{"query after second ?", "GET /a?b?c HTTP/1.1\r\nHost: h\r\n\r\n", Limits{}, 0,
		Head{Method: "GET", Target: "/a?b?c", Path: "/a", RawQuery: "b?c", Host: "h", Minor: 1,
			Fields: []Field{{"Host", "h"}}, ContentLength: -1}, "RFC 3986 §3.4"},
	{"empty query", "GET /? HTTP/1.1\r\nHost: h\r\n\r\n", Limits{}, 0,
		Head{Method: "GET", Target: "/?", Path: "/", Host: "h", Minor: 1,
			Fields: []Field{{"Host", "h"}}, ContentLength: -1}, "RFC 3986 §3.4"},
	{"percent-encoded path kept encoded", "GET /a%20b/%2F%c3%A9 HTTP/1.1\r\nHost: h\r\n\r\n", Limits{}, 0,
		Head{Method: "GET", Target: "/a%20b/%2F%c3%A9", Path: "/a%20b/%2F%c3%A9", Host: "h", Minor: 1,
			Fields: []Field{{"Host", "h"}}, ContentLength: -1}, "RFC 3986 §2.1"},
	{"stray percent in query tolerated", "GET /p?discount=100% HTTP/1.1\r\nHost: h\r\n\r\n", Limits{}, 0,
		Head{Method: "GET", Target: "/p?discount=100%", Path: "/p", RawQuery: "discount=100%", Host: "h", Minor: 1,
			Fields: []Field{{"Host", "h"}}, ContentLength: -1}, "RFC 3986 §3.4"},
	{"URI characters outside RFC 3986 but visible ASCII", "GET /{a}|b^c`\"<> HTTP/1.1\r\nHost: h\r\n\r\n", Limits{}, 0,
		Head{Method: "GET", Target: "/{a}|b^c`\"<>", Path: "/{a}|b^c`\"<>", Host: "h", Minor: 1,
			Fields: []Field{{"Host", "h"}}, ContentLength: -1}, "RFC 9112 §3.2"},
	{"HTTP/1.2 served as HTTP/1.1", "GET / HTTP/1.2\r\nHost: h\r\n\r\n", Limits{}, 0,
		Head{Method: "GET", Target: "/", Path: "/", Host: "h", Minor: 1,
			Fields: []Field{{"Host", "h"}}, ContentLength: -1}, "RFC 9110 §2.5"},
	{"HTTP/1.9 served as HTTP/1.1", "GET / HTTP/1.9\r\nHost: h\r\n\r\n", Limits{}, 0,
		Head{Method: "GET", Target: "/", Path: "/", Host: "h", Minor: 1,
			Fields: []Field{{"Host", "h"}}, ContentLength: -1}, "RFC 9110 §2.5"},
	{"extension method", "M-SEARCH / HTTP/1.1\r\nHost: h\r\n\r\n", Limits{}, 0,
		Head{Method: "M-SEARCH", Target: "/", Path: "/", Host: "h", Minor: 1,
			Fields: []Field{{"Host", "h"}}, ContentLength: -1}, "RFC 9110 §9.1"},
	{"HTTP/1.0 without Host closes", "GET / HTTP/1.0\r\n\r\n", Limits{}, 0,
		Head{Method: "GET", Target: "/", Path: "/", Minor: 0, ContentLength: -1, Close: true}, "RFC 9112 §9.3"},
	{"HTTP/1.0 keep-alive stays open", "GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", Limits{}, 0,
		Head{Method: "GET", Target: "/", Path: "/", Minor: 0, Fields: []Field{{"Connection", "Keep-Alive"}}, ContentLength: -1}, "RFC 9112 §9.3"},
	{"HTTP/1.0 close beats keep-alive", "GET / HTTP/1.0\r\nConnection: keep-alive, close\r\n\r\n", Limits{}, 0,
		Head{Method: "GET", Target: "/", Path: "/", Minor: 0, Fields: []Field{{"Connection", "keep-alive, close"}}, ContentLength: -1, Close: true}, "RFC 9112 §9.3"},
	{"HTTP/1.1 Connection close in a list", "GET / HTTP/1.1\r\nHost: h\r\nConnection: Upgrade, CLOSE\r\n\r\n", Limits{}, 0,
		Head{Method: "GET", Target: "/", Path: "/", Host: "h", Minor: 1,
			Fields: []Field{{"Host", "h"}, {"Connection", "Upgrade, CLOSE"}}, ContentLength: -1, Close: true}, "RFC 9112 §9.6"},
	{"leading empty lines skipped", "\r\n\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n", Limits{}, 0,
		Head{Method: "GET", Target: "/", Path: "/", Host: "h", Minor: 1,
			Fields: []Field{{"Host", "h"}}, ContentLength: -1}, "RFC 9112 §2.2"},
	{"body and next request not consumed", "POST /f HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabcGET / HTTP/1.1\r\n", Limits{}, 48,
		Head{Method: "POST", Target: "/f", Path: "/f", Host: "h", Minor: 1,
			Fields: []Field{{"Host", "h"}, {"Content-Length", "3"}}, ContentLength: 3}, "RFC 9112 §6"},
	{"absolute-form: authority wins over Host", "GET http://Example.COM:8080/p?q=1 HTTP/1.1\r\nHost: other\r\n\r\n", Limits{}, 0,
		Head{Method: "GET", Target: "http://Example.COM:8080/p?q=1", Path: "/p", RawQuery: "q=1", Host: "Example.COM:8080", Minor: 1,
			Fields: []Field{{"Host", "other"}}, ContentLength: -1}, "RFC 9112 §3.2.2"},
	{"absolute-form https, empty path is /", "GET HTTPS://h HTTP/1.1\r\nHost: h\r\n\r\n", Limits{}, 0,
		Head{Method: "GET", Target: "HTTPS://h", Path: "/", Host: "h", Minor: 1,
			Fields: []Field{{"Host", "h"}}, ContentLength: -1}, "RFC 9112 §3.2.2"},
	{"absolute-form, query without path", "GET http://h?x=1 HTTP/1.1\r\nHost: h\r\n\r\n", Limits{}, 0,
		Head{Method: "GET", Target: "http://h?x=1", Path: "/", RawQuery: "x=1", Host: "h", Minor: 1,
			Fields: []Field{{"Host", "h"}}, ContentLength: -1}, "RFC 9112 §3.2.2"},
	{"absolute-form IPv6", "GET http://[::1]:80/ HTTP/1.1\r\nHost: x\r\n\r\n", Limits{}, 0,
		Head{Method: "GET", Target: "http://[::1]:80/", Path: "/", Host: "[::1]:80", Minor: 1,
			Fields: []Field{{"Host", "x"}}, ContentLength: -1}, "RFC 3986 §3.2.2"},
	{"asterisk-form with OPTIONS", "OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n", Limits{}, 0,
		Head{Method: "OPTIONS", Target: "*", Path: "*", Host: "h", Minor: 1,
			Fields: []Field{{"Host", "h"}}, ContentLength: -1}, "RFC 9112 §3.2.4"},
	{"Host IPv6 with port", "GET / HTTP/1.1\r\nHost: [2001:db8::1]:8443\r\n\r\n", Limits{}, 0,
		Head{Method: "GET", Target: "/", Path: "/", Host: "[2001:db8::1]:8443", Minor: 1,
			Fields: []Field{{"Host", "[2001:db8::1]:8443"}}, ContentLength: -1}, "RFC 3986 §3.2.2"},
	{"Host IPv4 with empty port", "GET / HTTP/1.1\r\nHost: 192.0.2.1:\r\n\r\n", Limits{}, 0,
		Head{Method: "GET", Target: "/", Path: "/", Host: "192.0.2.1:", Minor: 1,
			Fields: []Field{{"Host", "192.0.2.1:"}}, ContentLength: -1}, "RFC 3986 §3.2.3"},
	{"Host empty value", "GET / HTTP/1.1\r\nHost:\r\n\r\n", Limits{}, 0,
		Head{Method: "GET", Target: "/", Path: "/", Minor: 1,
			Fields: []Field{{"Host", ""}}, ContentLength: -1}, "RFC 9112 §3.2"},
	{"Host lower case name", "GET / HTTP/1.1\r\nhOST: a-b_c.example~\r\n\r\n", Limits{}, 0,
		Head{Method: "GET", Target: "/", Path: "/", Host: "a-b_c.example~", Minor: 1,
			Fields: []Field{{"hOST", "a-b_c.example~"}}, ContentLength: -1}, "RFC 9110 §5.1"},
	{"OWS trimmed, inner whitespace kept", "GET / HTTP/1.1\r\nHost:h\r\nX-A: \t a \t b \t\r\nX-Empty:\r\nX-Sp:   \r\n\r\n", Limits{}, 0,
		Head{Method: "GET", Target: "/", Path: "/", Host: "h", Minor: 1,
			Fields: []Field{{"Host", "h"}, {"X-A", "a \t b"}, {"X-Empty", ""}, {"X-Sp", ""}}, ContentLength: -1}, "RFC 9110 §5.5"},
	{"obs-text in a value", "GET / HTTP/1.1\r\nHost: h\r\nX-Name: caf\xc3\xa9 \xff\r\n\r\n", Limits{}, 0,
		Head{Method: "GET", Target: "/", Path: "/", Host: "h", Minor: 1,
			Fields: []Field{{"Host", "h"}, {"X-Name", "caf\xc3\xa9 \xff"}}, ContentLength: -1}, "RFC 9110 §5.5"},
	{"Content-Length", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 42\r\n\r\n", Limits{}, 0,
		Head{Method: "POST", Target: "/", Path: "/", Host: "h", Minor: 1,
			Fields: []Field{{"Host", "h"}, {"Content-Length", "42"}}, ContentLength: 42}, "RFC 9110 §8.6"},
	{"Content-Length zero", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n", Limits{}, 0,
		Head{Method: "POST", Target: "/", Path: "/", Host: "h", Minor: 1,
			Fields: []Field{{"Host", "h"}, {"Content-Length", "0"}}, ContentLength: 0}, "RFC 9110 §8.6"},
	{"Content-Length leading zeros", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 007\r\n\r\n", Limits{}, 0,
		Head{Method: "POST", Target: "/", Path: "/", Host: "h", Minor: 1,
			Fields: []Field{{"Host", "h"}, {"Content-Length", "007"}}, ContentLength: 7}, "RFC 9110 §8.6"},
	{"Content-Length max int64", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 9223372036854775807\r\n\r\n", Limits{}, 0,
		Head{Method: "POST", Target: "/", Path: "/", Host: "h", Minor: 1,
			Fields: []Field{{"Host", "h"}, {"Content-Length", "9223372036854775807"}}, ContentLength: 1<<63 - 1}, "RFC 9110 §8.6"},
	{"Content-Length identical lines merged", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\ncontent-length: 5\r\n\r\n", Limits{}, 0,
		Head{Method: "POST", Target: "/", Path: "/", Host: "h", Minor: 1,
			Fields: []Field{{"Host", "h"}, {"Content-Length", "5"}, {"content-length", "5"}}, ContentLength: 5}, "RFC 9112 §6.3"},
	{"Content-Length identical list merged", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5, 5\r\n\r\n", Limits{}, 0,
		Head{Method: "POST", Target: "/", Path: "/", Host: "h", Minor: 1,
			Fields: []Field{{"Host", "h"}, {"Content-Length", "5, 5"}}, ContentLength: 5}, "RFC 9110 §8.6"},
	{"chunked", "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n", Limits{}, 0,
		Head{Method: "POST", Target: "/", Path: "/", Host: "h", Minor: 1,
			Fields: []Field{{"Host", "h"}, {"Transfer-Encoding", "chunked"}}, ContentLength: -1, Chunked: true}, "RFC 9112 §6.1"},
	{"chunked, any case", "POST / HTTP/1.1\r\nHost: h\r\ntransfer-encoding:  ChUnKeD \r\n\r\n", Limits{}, 0,
		Head{Method: "POST", Target: "/", Path: "/", Host: "h", Minor: 1,
			Fields: []Field{{"Host", "h"}, {"transfer-encoding", "ChUnKeD"}}, ContentLength: -1, Chunked: true}, "RFC 9112 §7"},
	{"Expect 100-continue", "PUT /f HTTP/1.1\r\nHost: h\r\nContent-Length: 9\r\nExpect: 100-Continue\r\n\r\n", Limits{}, 0,
		Head{Method: "PUT", Target: "/f", Path: "/f", Host: "h", Minor: 1,
			Fields: []Field{{"Host", "h"}, {"Content-Length", "9"}, {"Expect", "100-Continue"}}, ContentLength: 9, Expect100: true}, "RFC 9110 §10.1.1"},
	{"Expect 100-continue ignored in 1.0", "PUT /f HTTP/1.0\r\nContent-Length: 9\r\nExpect: 100-continue\r\n\r\n", Limits{}, 0,
		Head{Method: "PUT", Target: "/f", Path: "/f", Minor: 0,
			Fields: []Field{{"Content-Length", "9"}, {"Expect", "100-continue"}}, ContentLength: 9, Close: true}, "RFC 9110 §10.1.1"},
	{"Expect with empty list elements", "PUT /f HTTP/1.1\r\nHost: h\r\nExpect: , 100-continue,\r\n\r\n", Limits{}, 0,
		Head{Method: "PUT", Target: "/f", Path: "/f", Host: "h", Minor: 1,
			Fields: []Field{{"Host", "h"}, {"Expect", ", 100-continue,"}}, ContentLength: -1, Expect100: true}, "RFC 9110 §5.6.1"},
	{"target at MaxURIBytes", "GET /2345678 HTTP/1.1\r\nHost: h\r\n\r\n", Limits{MaxURIBytes: 8}, 0,
		Head{Method: "GET", Target: "/2345678", Path: "/2345678", Host: "h", Minor: 1,
			Fields: []Field{{"Host", "h"}}, ContentLength: -1}, "RFC 9110 §15.5.15"},
	{"head at MaxHeaderBytes", "GET / HTTP/1.1\r\nHost: h\r\n\r\n", Limits{MaxHeaderBytes: 27}, 0,
		Head{Method: "GET", Target: "/", Path: "/", Host: "h", Minor: 1,
			Fields: []Field{{"Host", "h"}}, ContentLength: -1}, "RFC 6585 §5"},
	{"MaxHeaderCount fields", "GET / HTTP/1.1\r\nHost: h\r\nA: 1\r\n\r\n", Limits{MaxHeaderCount: 2}, 0,
		Head{Method: "GET", Target: "/", Path: "/", Host: "h", Minor: 1,
			Fields: []Field{{"Host", "h"}, {"A", "1"}}, ContentLength: -1}, "RFC 6585 §5"},

	// The edges of the eight-byte words the scans read (see TestFastPath).
	{"names, values and a target of 7, 8 and 9 bytes",
		"GET /234567 HTTP/1.1\r\nHost: 1234567\r\nABCDEFG: 1234567\r\nABCDEFGH: 12345678\r\nABCDEFGHI:123456789 \t\r\n\r\n", Limits{}, 0,
		Head{Method: "GET", Target: "/234567", Path: "/234567", Host: "1234567", Minor: 1,
			Fields:        []Field{{"Host", "1234567"}, {"ABCDEFG", "1234567"}, {"ABCDEFGH", "12345678"}, {"ABCDEFGHI", "123456789"}},
			ContentLength: -1}, "RFC 9112 §5"},
	{"percent triplet across a word, stray percent in the query",
		"GET /abcdef%2Fg/%41?q=%zz%&r HTTP/1.0\r\nHost: 12345678:8080\r\n\r\n", Limits{}, 0,
		Head{Method: "GET", Target: "/abcdef%2Fg/%41?q=%zz%&r", Path: "/abcdef%2Fg/%41", RawQuery: "q=%zz%&r", Host: "12345678:8080",
			Minor: 0, Fields: []Field{{"Host", "12345678:8080"}}, ContentLength: -1, Close: true}, "RFC 3986 §2.1"},
	{"head longer than 512 bytes", "GET / HTTP/1.1\r\nHost: h\r\nCookie: " + strings.Repeat("c", 600) + "\r\nX: y\r\n\r\n", Limits{}, 0,
		Head{Method: "GET", Target: "/", Path: "/", Host: "h", Minor: 1,
			Fields: []Field{{"Host", "h"}, {"Cookie", strings.Repeat("c", 600)}, {"X", "y"}}, ContentLength: -1}, "RFC 9112 §2.2"},
	{"head followed by the next", "GET /a HTTP/1.1\r\nHost: h\r\n\r\nGET /b HTTP/1.1\r\nHost: h\r\n\r\n", Limits{}, 28,
		Head{Method: "GET", Target: "/a", Path: "/a", Host: "h", Minor: 1,
			Fields: []Field{{"Host", "h"}}, ContentLength: -1}, "RFC 9112 §9.3.2"},
}

// badCases are requests Parse must refuse, with the status it must give.
var badCases = []struct {
	name   string
	in     string
	lim    Limits
	status int
	rfc    string
}{
	// Line endings.
	{"bare LF request line", "GET / HTTP/1.1\nHost: h\r\n\r\n", Limits{}, 400, "RFC 9112 §2.2"},
	{"bare LF field line", "GET / HTTP/1.1\r\nHost: h\nX: y\r\n\r\n", Limits{}, 400, "RFC 9112 §2.2"},
	{"bare LF end of head", "GET / HTTP/1.1\r\nHost: h\r\n\n", Limits{}, 400, "RFC 9112 §2.2"},
	{"bare LF only head", "GET / HTTP/1.1\nHost: h\n\n", Limits{}, 400, "RFC 9112 §2.2"},
	{"bare LF leading line", "\nGET / HTTP/1.1\r\nHost: h\r\n\r\n", Limits{}, 400, "RFC 9112 §2.2"},
	{"bare CR leading line", "\rGET / HTTP/1.1\r\nHost: h\r\n\r\n", Limits{}, 400, "RFC 9112 §2.2"},
	{"bare CR in value", "GET / HTTP/1.1\r\nHost: h\r\nX: a\rb\r\n\r\n", Limits{}, 400, "RFC 9110 §5.5"},
	{"CR CR LF", "GET / HTTP/1.1\r\nHost: h\r\nX: a\r\r\n\r\n", Limits{}, 400, "RFC 9110 §5.5"},

	// Request line.
	{"no version", "GET /\r\nHost: h\r\n\r\n", Limits{}, 400, "RFC 9112 §3"},
	{"only a method", "GET\r\n\r\n", Limits{}, 400, "RFC 9112 §3"},
	{"two SP before target", "GET  / HTTP/1.1\r\nHost: h\r\n\r\n", Limits{}, 400, "RFC 9112 §3"},
	{"two SP before version", "GET /  HTTP/1.1\r\nHost: h\r\n\r\n", Limits{}, 400, "RFC 9112 §3"},
	{"SP after version", "GET / HTTP/1.1 \r\nHost: h\r\n\r\n", Limits{}, 400, "RFC 9112 §3"},
	{"HTAB separators", "GET\t/\tHTTP/1.1\r\nHost: h\r\n\r\n", Limits{}, 400, "RFC 9112 §3"},
	{"leading SP", " GET / HTTP/1.1\r\nHost: h\r\n\r\n", Limits{}, 400, "RFC 9112 §3"},
	{"method not a token", "GE(T / HTTP/1.1\r\nHost: h\r\n\r\n", Limits{}, 400, "RFC 9112 §3.1"},
	{"method with NUL", "G\x00T / HTTP/1.1\r\nHost: h\r\n\r\n", Limits{}, 400, "RFC 9112 §3.1"},
	{"TLS handshake at once", "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", Limits{}, 400, "RFC 9112 §3.1"},
	{"version lower case", "GET / http/1.1\r\nHost: h\r\n\r\n", Limits{}, 400, "RFC 9112 §2.3"},
	{"version HTTP/1", "GET / HTTP/1\r\nHost: h\r\n\r\n", Limits{}, 400, "RFC 9112 §2.3"},
	{"version HTTP/11", "GET / HTTP/11\r\nHost: h\r\n\r\n", Limits{}, 400, "RFC 9112 §2.3"},
	{"version HTTP/1.10", "GET / HTTP/1.10\r\nHost: h\r\n\r\n", Limits{}, 400, "RFC 9112 §2.3"},
	{"version garbage", "GET / FOO/1.1\r\nHost: h\r\n\r\n", Limits{}, 400, "RFC 9112 §2.3"},
	{"version HTTP/2.0", "GET / HTTP/2.0\r\nHost: h\r\n\r\n", Limits{}, 505, "RFC 9110 §15.6.6"},
	{"h2 preface", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", Limits{}, 505, "RFC 9110 §15.6.6"},
	{"version HTTP/1.2 without Host, as 1.1", "GET / HTTP/1.2\r\n\r\n", Limits{}, 400, "RFC 9112 §3.2"},
	{"version HTTP/0.9", "GET / HTTP/0.9\r\n\r\n", Limits{}, 505, "RFC 9110 §15.6.6"},
	{"version HTTP/3.0", "GET / HTTP/3.0\r\nHost: h\r\n\r\n", Limits{}, 505, "RFC 9110 §15.6.6"},

	// Request target.
	{"target with CTL", "GET /a\x01b HTTP/1.1\r\nHost: h\r\n\r\n", Limits{}, 400, "RFC 9112 §3.2"},
	{"target with DEL", "GET /a\x7fb HTTP/1.1\r\nHost: h\r\n\r\n", Limits{}, 400, "RFC 9112 §3.2"},
	{"target with obs-text", "GET /caf\xc3\xa9 HTTP/1.1\r\nHost: h\r\n\r\n", Limits{}, 400, "RFC 9112 §3.2"},
	{"target with fragment", "GET /a#b HTTP/1.1\r\nHost: h\r\n\r\n", Limits{}, 400, "RFC 9112 §3.2"},
	{"bad percent-encoding", "GET /a%zz HTTP/1.1\r\nHost: h\r\n\r\n", Limits{}, 400, "RFC 3986 §2.1"},
	{"truncated percent-encoding", "GET /a%2 HTTP/1.1\r\nHost: h\r\n\r\n", Limits{}, 400, "RFC 3986 §2.1"},
	{"lone percent at end of path", "GET /a%?x HTTP/1.1\r\nHost: h\r\n\r\n", Limits{}, 400, "RFC 3986 §2.1"},
	{"relative target", "GET index.html HTTP/1.1\r\nHost: h\r\n\r\n", Limits{}, 400, "RFC 9112 §3.2"},
	{"other scheme", "GET ftp://h/f HTTP/1.1\r\nHost: h\r\n\r\n", Limits{}, 400, "RFC 9112 §3.2"},
	{"scheme without //", "GET http:/x HTTP/1.1\r\nHost: h\r\n\r\n", Limits{}, 400, "RFC 9112 §3.2"},
	{"opaque URI", "GET mailto:a@b HTTP/1.1\r\nHost: h\r\n\r\n", Limits{}, 400, "RFC 9112 §3.2"},
	{"asterisk with GET", "GET * HTTP/1.1\r\nHost: h\r\n\r\n", Limits{}, 400, "RFC 9112 §3.2.4"},
	{"CONNECT", "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n", Limits{}, 501, "RFC 9110 §9.3.6"},
	{"CONNECT with path", "CONNECT /rpc HTTP/1.1\r\nHost: h\r\n\r\n", Limits{}, 501, "RFC 9110 §9.3.6"},
	{"absolute-form userinfo", "GET http://user:pw@h/ HTTP/1.1\r\nHost: h\r\n\r\n", Limits{}, 400, "RFC 9110 §4.2.4"},
	{"absolute-form empty host", "GET http:///x HTTP/1.1\r\nHost: h\r\n\r\n", Limits{}, 400, "RFC 9110 §4.2.1"},
	{"absolute-form only scheme", "GET http:// HTTP/1.1\r\nHost: h\r\n\r\n", Limits{}, 400, "RFC 9110 §4.2.1"},
	{"absolute-form port only", "GET http://:80/ HTTP/1.1\r\nHost: h\r\n\r\n", Limits{}, 400, "RFC 9110 §4.2.1"},
	{"absolute-form bad host", "GET http://h^x/ HTTP/1.1\r\nHost: h\r\n\r\n", Limits{}, 400, "RFC 3986 §3.2.2"},
	{"absolute-form pct host", "GET http://%41/ HTTP/1.1\r\nHost: h\r\n\r\n", Limits{}, 400, "RFC 3986 §3.2.2"},
	{"absolute-form open bracket", "GET http://[::1/ HTTP/1.1\r\nHost: h\r\n\r\n", Limits{}, 400, "RFC 3986 §3.2.2"},
	{"absolute-form bad port", "GET http://h:8x/ HTTP/1.1\r\nHost: h\r\n\r\n", Limits{}, 400, "RFC 3986 §3.2.3"},
	{"absolute-form bad path encoding", "GET http://h/%g0 HTTP/1.1\r\nHost: h\r\n\r\n", Limits{}, 400, "RFC 3986 §2.1"},
	{"absolute-form still needs Host in 1.1", "GET http://h/ HTTP/1.1\r\n\r\n", Limits{}, 400, "RFC 9112 §3.2"},

	// Field lines.
	{"obs-fold", "GET / HTTP/1.1\r\nHost: h\r\nX: a\r\n b\r\n\r\n", Limits{}, 400, "RFC 9112 §5.2"},
	{"obs-fold with HTAB", "GET / HTTP/1.1\r\nHost: h\r\nX: a\r\n\tb\r\n\r\n", Limits{}, 400, "RFC 9112 §5.2"},
	{"whitespace before first field", "GET / HTTP/1.1\r\n Host: h\r\n\r\n", Limits{}, 400, "RFC 9112 §2.2"},
	{"SP before colon", "GET / HTTP/1.1\r\nHost : h\r\n\r\n", Limits{}, 400, "RFC 9112 §5.1"},
	{"HTAB before colon", "GET / HTTP/1.1\r\nHost\t: h\r\n\r\n", Limits{}, 400, "RFC 9112 §5.1"},
	{"SP inside name", "GET / HTTP/1.1\r\nHost: h\r\nX Y: z\r\n\r\n", Limits{}, 400, "RFC 9110 §5.1"},
	{"no colon", "GET / HTTP/1.1\r\nHost: h\r\nJunk\r\n\r\n", Limits{}, 400, "RFC 9112 §5"},
	{"empty name", "GET / HTTP/1.1\r\nHost: h\r\n: v\r\n\r\n", Limits{}, 400, "RFC 9110 §5.1"},
	{"name not a token", "GET / HTTP/1.1\r\nHost: h\r\nX(y): z\r\n\r\n", Limits{}, 400, "RFC 9110 §5.1"},
	{"name with obs-text", "GET / HTTP/1.1\r\nHost: h\r\nX\xe9: z\r\n\r\n", Limits{}, 400, "RFC 9110 §5.1"},
	{"NUL in value", "GET / HTTP/1.1\r\nHost: h\r\nX: a\x00b\r\n\r\n", Limits{}, 400, "RFC 9110 §5.5"},
	{"CTL in value", "GET / HTTP/1.1\r\nHost: h\r\nX: a\x1bb\r\n\r\n", Limits{}, 400, "RFC 9110 §5.5"},
	{"DEL in value", "GET / HTTP/1.1\r\nHost: h\r\nX: a\x7fb\r\n\r\n", Limits{}, 400, "RFC 9110 §5.5"},

	// Host.
	{"missing Host", "GET / HTTP/1.1\r\nX: y\r\n\r\n", Limits{}, 400, "RFC 9112 §3.2"},
	{"two Host lines", "GET / HTTP/1.1\r\nHost: a\r\nhost: a\r\n\r\n", Limits{}, 400, "RFC 9112 §3.2"},
	{"two Host lines in 1.0", "GET / HTTP/1.0\r\nHost: a\r\nHost: b\r\n\r\n", Limits{}, 400, "RFC 9112 §3.2"},
	{"Host with SP", "GET / HTTP/1.1\r\nHost: exa mple.com\r\n\r\n", Limits{}, 400, "RFC 9112 §3.2"},
	{"Host with slash", "GET / HTTP/1.1\r\nHost: h/x\r\n\r\n", Limits{}, 400, "RFC 9112 §3.2"},
	{"Host with userinfo", "GET / HTTP/1.1\r\nHost: u@h\r\n\r\n", Limits{}, 400, "RFC 9112 §3.2"},
	{"Host with bad port", "GET / HTTP/1.1\r\nHost: h:80a\r\n\r\n", Limits{}, 400, "RFC 9112 §3.2"},
	{"Host with two ports", "GET / HTTP/1.1\r\nHost: h:80:81\r\n\r\n", Limits{}, 400, "RFC 9112 §3.2"},
	{"Host port only", "GET / HTTP/1.1\r\nHost: :80\r\n\r\n", Limits{}, 400, "RFC 9112 §3.2"},
	{"Host unclosed bracket", "GET / HTTP/1.1\r\nHost: [::1\r\n\r\n", Limits{}, 400, "RFC 9112 §3.2"},
	{"Host IPv4 in brackets", "GET / HTTP/1.1\r\nHost: [192.0.2.1]\r\n\r\n", Limits{}, 400, "RFC 3986 §3.2.2"},
	{"Host IPv6 zone", "GET / HTTP/1.1\r\nHost: [fe80::1%25eth0]\r\n\r\n", Limits{}, 400, "RFC 3986 §3.2.2"},
	{"Host pct-encoded", "GET / HTTP/1.1\r\nHost: %41\r\n\r\n", Limits{}, 400, "RFC 9112 §3.2"},
	{"Host obs-text", "GET / HTTP/1.1\r\nHost: caf\xc3\xa9\r\n\r\n", Limits{}, 400, "RFC 9112 §3.2"},

	// Content-Length.
	{"CL negative", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: -1\r\n\r\n", Limits{}, 400, "RFC 9110 §8.6"},
	{"CL plus sign", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: +1\r\n\r\n", Limits{}, 400, "RFC 9110 §8.6"},
	{"CL hex", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 0x10\r\n\r\n", Limits{}, 400, "RFC 9110 §8.6"},
	{"CL decimal point", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1.0\r\n\r\n", Limits{}, 400, "RFC 9110 §8.6"},
	{"CL empty", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length:\r\n\r\n", Limits{}, 400, "RFC 9110 §8.6"},
	{"CL inner space", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1 2\r\n\r\n", Limits{}, 400, "RFC 9110 §8.6"},
	{"CL overflow", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 9223372036854775808\r\n\r\n", Limits{}, 400, "RFC 9110 §8.6"},
	{"CL huge", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 99999999999999999999999\r\n\r\n", Limits{}, 400, "RFC 9110 §8.6"},
	{"CL differing lines", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n", Limits{}, 400, "RFC 9112 §6.3"},
	{"CL differing list", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5, 6\r\n\r\n", Limits{}, 400, "RFC 9112 §6.3"},
	{"CL same number, different text", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nContent-Length: 05\r\n\r\n", Limits{}, 400, "RFC 9112 §6.3"},
	{"CL empty list element", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5,\r\n\r\n", Limits{}, 400, "RFC 9110 §8.6"},

	// Transfer-Encoding.
	{"TE and CL", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n", Limits{}, 400, "RFC 9112 §6.1"},
	{"CL and TE", "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n", Limits{}, 400, "RFC 9112 §6.1"},
	{"TE in HTTP/1.0", "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", Limits{}, 400, "RFC 9112 §6.1"},
	{"TE gzip only", "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip\r\n\r\n", Limits{}, 400, "RFC 9112 §6.3"},
	{"TE chunked not final", "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", Limits{}, 400, "RFC 9112 §6.3"},
	{"TE chunked not final across lines", "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: gzip\r\n\r\n", Limits{}, 400, "RFC 9112 §6.3"},
	{"TE identity", "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: identity\r\n\r\n", Limits{}, 400, "RFC 9112 §6.3"},
	{"TE empty", "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding:\r\n\r\n", Limits{}, 400, "RFC 9112 §6.1"},
	{"TE trailing comma", "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked,\r\n\r\n", Limits{}, 400, "RFC 9112 §6.1"},
	{"TE not a token", "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: \"chunked\"\r\n\r\n", Limits{}, 400, "RFC 9112 §6.1"},
	{"TE gzip then chunked", "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", Limits{}, 501, "RFC 9112 §6.1"},
	{"TE chunked twice", "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked, chunked\r\n\r\n", Limits{}, 501, "RFC 9112 §7"},
	{"TE chunked on two lines", "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n", Limits{}, 501, "RFC 9112 §7"},
	{"TE chunked with parameter", "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked;q=1\r\n\r\n", Limits{}, 501, "RFC 9112 §6.1"},

	// Expect.
	{"unknown expectation", "GET / HTTP/1.1\r\nHost: h\r\nExpect: 200-ok\r\n\r\n", Limits{}, 417, "RFC 9110 §10.1.1"},
	{"unknown expectation in a list", "GET / HTTP/1.1\r\nHost: h\r\nExpect: 100-continue, x\r\n\r\n", Limits{}, 417, "RFC 9110 §10.1.1"},
	{"100-continue with parameter", "GET / HTTP/1.1\r\nHost: h\r\nExpect: 100-continue;a=b\r\n\r\n", Limits{}, 417, "RFC 9110 §10.1.1"},
	{"unknown expectation in 1.0", "GET / HTTP/1.0\r\nExpect: x\r\n\r\n", Limits{}, 417, "RFC 9110 §10.1.1"},

	// Limits, on complete and on incomplete heads.
	{"URI too long", "GET /23456789 HTTP/1.1\r\nHost: h\r\n\r\n", Limits{MaxURIBytes: 8}, 414, "RFC 9110 §15.5.15"},
	{"URI too long, line incomplete", "GET /23456789", Limits{MaxURIBytes: 8}, 414, "RFC 9110 §15.5.15"},
	{"URI too long, no version", "GET /23456789\r\n", Limits{MaxURIBytes: 8}, 414, "RFC 9110 §15.5.15"},
	{"URI too long beats head too big", "GET /23456789 HTTP/1.1\r\nHost: h\r\n\r\n", Limits{MaxURIBytes: 8, MaxHeaderBytes: 20}, 414, "RFC 9110 §15.5.15"},
	{"head too big", "GET / HTTP/1.1\r\nHost: h\r\n\r\n", Limits{MaxHeaderBytes: 26}, 431, "RFC 6585 §5"},
	{"head too big, incomplete", "GET / HTTP/1.1\r\nHost: h\r\nX: 0123456789", Limits{MaxHeaderBytes: 30}, 431, "RFC 6585 §5"},
	{"head too big, incomplete at the limit", "GET / HTTP/1.1\r\nHost: h\r\n\r", Limits{MaxHeaderBytes: 26}, 431, "RFC 6585 §5"},
	{"leading empty lines count", "\r\n\r\n\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n", Limits{MaxHeaderBytes: 30}, 431, "RFC 6585 §5"},
	{"only empty lines, past the limit", "\r\n\r\n\r\n\r\n\r\n", Limits{MaxHeaderBytes: 10}, 431, "RFC 6585 §5"},
	{"too many fields", "GET / HTTP/1.1\r\nHost: h\r\nA: 1\r\nB: 2\r\n\r\n", Limits{MaxHeaderCount: 2}, 431, "RFC 6585 §5"},

	// Past the 512 bytes the fast path reads before it checks that the head has ended.
	{"bare LF after 512 bytes", "GET / HTTP/1.1\r\nHost: h\r\nCookie: " + strings.Repeat("c", 600) + "\r\nX: y\n\r\n", Limits{}, 400, "RFC 9112 §2.2"},
	{"bare LF after 512 bytes, incomplete", "GET / HTTP/1.1\r\nHost: h\r\nCookie: " + strings.Repeat("c", 600) + "\r\nX: y\nZ", Limits{}, 400, "RFC 9112 §2.2"},
	{"NUL after 512 bytes", "GET / HTTP/1.1\r\nHost: h\r\nCookie: " + strings.Repeat("c", 600) + "\x00\r\n\r\n", Limits{}, 400, "RFC 9110 §5.5"},
}

// needMoreCases are incomplete heads that break no rule yet.
var needMoreCases = []struct{ name, in string }{
	{"empty", ""},
	{"half a leading CRLF", "\r"},
	{"leading empty lines only", "\r\n\r\n"},
	{"method only", "GET"},
	{"request line without CRLF", "GET / HTTP/1.1"},
	{"request line with CR", "GET / HTTP/1.1\r"},
	{"no empty line", "GET / HTTP/1.1\r\nHost: h\r\n"},
	{"half the final CRLF", "GET / HTTP/1.1\r\nHost: h\r\n\r"},
	{"invalid field, not yet complete", "GET / HTTP/1.1\r\nHost : h\r\n"}, // refused once complete
	{"field name cut", "GET / HTTP/1.1\r\nHo"},
	{"field value cut", "GET / HTTP/1.1\r\nHost: h\r\nX: 12345678"},
	{"field value with its CR", "GET / HTTP/1.1\r\nHost: h\r\nX: 12345678\r"},
	{"invalid byte, line not yet ended", "GET / HTTP/1.1\r\nHost: h\r\nX: 1\x002"}, // refused once complete
	{"long head not yet ended", "GET / HTTP/1.1\r\nHost: h\r\nCookie: " + strings.Repeat("c", 600) + "\r\nX: y\r\n"},
	{"long value not yet ended", "GET / HTTP/1.1\r\nHost: h\r\nCookie: " + strings.Repeat("c", 600)},
}

func TestParseOK(t *testing.T) {
	for _, tc := range okCases {
		t.Run(tc.name, func(t *testing.T) {
			n := tc.n
			if n == 0 {
				n = len(tc.in)
			}
			want := tc.want
			want.Raw = strings.TrimLeft(tc.in[:n], "\r\n")
			var h Head
			got, err := Parse([]byte(tc.in), tc.lim, &h)
			if err != nil {
				t.Fatalf("Parse(%q) error %v (%s)", tc.in, err, tc.rfc)
			}
			if got != n {
				t.Errorf("n = %d, want %d", got, n)
			}
			if !reflect.DeepEqual(h, want) {
				t.Errorf("Parse(%q)\n got %#v\nwant %#v", tc.in, h, want)
			}
			checkSubstrings(t, &h)
		})
	}
}

func TestParseBad(t *testing.T) {
	for _, tc := range badCases {
		t.Run(tc.name, func(t *testing.T) {
			h := Head{Method: "stale", Fields: make([]Field, 0, 4)}
			n, err := Parse([]byte(tc.in), tc.lim, &h)
			var pe *ProtocolError
			if !errors.As(err, &pe) {
				t.Fatalf("Parse(%q) = %d, %v; want status %d (%s)", tc.in, n, err, tc.status, tc.rfc)
			}
			if pe.Status != tc.status || n != 0 {
				t.Errorf("Parse(%q) = %d, %d %q; want 0, %d (%s)", tc.in, n, pe.Status, pe.Reason, tc.status, tc.rfc)
			}
			if h.Method != "" || len(h.Fields) != 0 || cap(h.Fields) != 4 || h.ContentLength != -1 {
				t.Errorf("Head not reset after error: %#v", h)
			}
		})
	}
}

func TestParseNeedMore(t *testing.T) {
	for _, tc := range needMoreCases {
		var h Head
		if n, err := Parse([]byte(tc.in), Limits{}, &h); n != 0 || err != ErrNeedMore {
			t.Errorf("%s: Parse(%q) = %d, %v; want ErrNeedMore", tc.name, tc.in, n, err)
		}
	}
}

// TestParseEveryPrefix feeds every valid request cut at every byte: each
// strict prefix of the head must ask for more, and the whole must parse.
func TestParseEveryPrefix(t *testing.T) {
	inputs := []string{browserGET}
	for _, tc := range okCases {
		inputs = append(inputs, tc.in)
	}
	var h Head
	for _, in := range inputs {
		n, err := Parse([]byte(in), Limits{}, &h)
		if err != nil {
			continue // some rows need their own limits; the row test covers them
		}
		for k := range n {
			if m, err := Parse([]byte(in[:k]), Limits{}, &h); m != 0 || err != ErrNeedMore {
				t.Fatalf("Parse(%q) = %d, %v; want ErrNeedMore", in[:k], m, err)
			}
		}
		if m, err := Parse([]byte(in[:n]), Limits{}, &h); m != n || err != nil {
			t.Fatalf("Parse(%q) = %d, %v; want %d, nil", in[:n], m, err, n)
		}
	}
}

// checkSubstrings asserts that every string in h points into h.Raw, the
// promise that makes a Head independent of the read buffer.
func checkSubstrings(t testing.TB, h *Head) {
	t.Helper()
	within := func(what, s string) {
		if s == "" || s == "/" && what == "Path" {
			return // empty strings point nowhere; "/" may be the constant
		}
		base := uintptr(unsafe.Pointer(unsafe.StringData(h.Raw)))
		p := uintptr(unsafe.Pointer(unsafe.StringData(s)))
		if p < base || p+uintptr(len(s)) > base+uintptr(len(h.Raw)) {
			t.Errorf("%s %q is not a substring of Raw", what, s)
		}
	}
	within("Method", h.Method)
	within("Target", h.Target)
	within("Path", h.Path)
	within("RawQuery", h.RawQuery)
	within("Host", h.Host)
	for _, f := range h.Fields {
		within("field name", f.Name)
		within("field value", f.Value)
	}
}

// TestHeadOutlivesBuffer overwrites the read buffer after Parse, as a
// connection does when it reads the next request, and checks that the Head
// has not changed.
func TestHeadOutlivesBuffer(t *testing.T) {
	buf := []byte(browserGET)
	var h Head
	if _, err := Parse(buf, Limits{}, &h); err != nil {
		t.Fatal(err)
	}
	before := h
	before.Fields = append([]Field(nil), h.Fields...)
	// Deep-copy every string so the comparison does not share memory with h.
	before.Raw = strings.Clone(h.Raw)
	for i := range buf {
		buf[i] = 'X'
	}
	if h.Raw != before.Raw || h.Method != "GET" || h.Get("Host") != "www.example.com" ||
		!reflect.DeepEqual(h.Fields, before.Fields) {
		t.Fatalf("Head changed with the buffer: %#v", h)
	}
	checkSubstrings(t, &h)
}

// TestParseAllocs holds the parser to its one allocation, the copy of the
// head, when the Head is reused as a connection reuses it.
func TestParseAllocs(t *testing.T) {
	buf := []byte(browserGET)
	var h Head
	allocs := testing.AllocsPerRun(100, func() {
		if _, err := Parse(buf, Limits{}, &h); err != nil {
			t.Fatal(err)
		}
	})
	if allocs > 1 {
		t.Fatalf("Parse allocates %v times per call, want <= 1", allocs)
	}
	// Refusing a request costs nothing either.
	bad := []byte("GET / HTTP/1.1\r\nHost: h\r\nX: a\x00b\r\n\r\n")
	allocs = testing.AllocsPerRun(100, func() { Parse(bad, Limits{}, &h) })
	if allocs > 1 {
		t.Fatalf("refusing allocates %v times per call, want <= 1", allocs)
	}
	partial := buf[:200]
	allocs = testing.AllocsPerRun(100, func() { Parse(partial, Limits{}, &h) })
	if allocs != 0 {
		t.Fatalf("ErrNeedMore allocates %v times per call, want 0", allocs)
	}
}

func TestParseReusesFields(t *testing.T) {
	var h Head
	if _, err := Parse([]byte(browserGET), Limits{}, &h); err != nil {
		t.Fatal(err)
	}
	first := &h.Fields[:1][0]
	if _, err := Parse([]byte("GET / HTTP/1.1\r\nHost: b\r\n\r\n"), Limits{}, &h); err != nil {
		t.Fatal(err)
	}
	if &h.Fields[0] != first || len(h.Fields) != 1 || h.Fields[0].Value != "b" {
		t.Fatalf("Fields not reused: %#v", h.Fields)
	}
	// The slots beyond len were cleared, so the old Raw is not kept alive.
	for _, f := range h.Fields[1:cap(h.Fields)] {
		if f != (Field{}) {
			t.Fatalf("stale field %#v beyond len", f)
		}
	}
}

// TestParseLargeBuffer checks that a head followed by a large body parses,
// and that a large buffer without a head is refused by looking at no more
// than MaxHeaderBytes of it.
func TestParseLargeBuffer(t *testing.T) {
	body := strings.Repeat("b", 1<<20)
	var h Head
	in := "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1048576\r\n\r\n" + body
	if n, err := Parse([]byte(in), Limits{}, &h); err != nil || n != len(in)-len(body) {
		t.Fatalf("head before a large body: %d, %v", n, err)
	}
	in = "GET / HTTP/1.1\r\nX: " + body
	var pe *ProtocolError
	if _, err := Parse([]byte(in), Limits{}, &h); !errors.As(err, &pe) || pe.Status != 431 {
		t.Fatalf("large incomplete head: %v", err)
	}
	in = strings.Repeat("\r\n", 1<<20)
	if _, err := Parse([]byte(in), Limits{}, &h); !errors.As(err, &pe) || pe.Status != 431 {
		t.Fatalf("a megabyte of empty lines: %v", err)
	}
}

// TestDefaultHeaderCount checks the default field-count limit: a browser
// head with many cookies and a proxy's added fields fits in 128 lines.
func TestDefaultHeaderCount(t *testing.T) {
	head := func(fields int) []byte {
		b := []byte("GET / HTTP/1.1\r\nHost: h\r\n")
		for i := 1; i < fields; i++ {
			b = append(b, "X-F: v\r\n"...)
		}
		return append(b, "\r\n"...)
	}
	var h Head
	if _, err := Parse(head(DefaultMaxHeaderCount), Limits{}, &h); err != nil {
		t.Fatalf("%d fields: %v, want accepted", DefaultMaxHeaderCount, err)
	}
	_, err := Parse(head(DefaultMaxHeaderCount+1), Limits{}, &h)
	if pe, ok := err.(*ProtocolError); !ok || pe.Status != 431 {
		t.Fatalf("%d fields: %v, want 431 (RFC 6585 §5)", DefaultMaxHeaderCount+1, err)
	}
}
