package frameworktest

import (
	"fmt"

	"github.com/groundup-go/groundup/framework"
)

// TraceTest is Test with tracing on: the Response carries the request's
// trace, so that a test can assert on every layer ("the parser refused
// this with rule X", "middleware Y added header Z") and print it when it
// fails.
func TraceTest(h framework.Handler, req *Request) *Response {
	out, traces := TraceRaw(h, string(req.Bytes()))
	res, err := ParseResponses([]byte(out), req.Method == "HEAD")
	var r *Response
	if err != nil || len(res) == 0 {
		r = &Response{Raw: []byte(out), Err: fmt.Errorf("frameworktest: unreadable response: %v", err)}
	} else {
		r = res[0]
	}
	if len(traces) > 0 {
		r.Trace = traces[0]
	}
	return r
}

// TraceRaw is Raw with tracing on: it returns what the server wrote and
// the trace of every request on the connection, in order.
func TraceRaw(h framework.Handler, raw string) (string, []*framework.Trace) {
	store := &framework.TraceStore{}
	out := ServeBytes(&framework.Server{Handler: h, Logger: discard, Trace: store}, []byte(raw))
	list := store.List()
	for i, j := 0, len(list)-1; i < j; i, j = i+1, j-1 {
		list[i], list[j] = list[j], list[i]
	}
	return string(out), list
}
