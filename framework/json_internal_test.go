package framework

import (
	"errors"
	"testing"
)

// The Ctx keeps its JSON encoder across requests; a write error, which an
// encoder would keep returning for good, must not outlive its request.
func TestJSONEncoderAfterWriteError(t *testing.T) {
	c := new(Ctx)
	c.res.err = errors.New("client went away")
	if err := c.JSON(200, map[string]int{"a": 1}); err == nil {
		t.Fatal("JSON succeeded on a failed response")
	}
	c.res.err = nil // the next request on the same pooled Ctx
	c.res.status = 0
	if err := c.JSON(200, map[string]int{"a": 1}); err != nil {
		t.Fatalf("JSON after an earlier write error: %v", err)
	}
	if got := string(c.res.body); got != "{\"a\":1}\n" {
		t.Fatalf("body %q", got)
	}
}
