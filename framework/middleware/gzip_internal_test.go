package middleware

import (
	"testing"

	"github.com/groundup-go/groundup/framework/http1"
)

func TestAcceptsGzipDoesNotAllocate(t *testing.T) {
	h := &http1.Head{Fields: []http1.Field{{Name: "Accept-Encoding", Value: "br;q=1.0, deflate, gzip;q=0.5, *;q=0"}}}
	allocs := testing.AllocsPerRun(100, func() {
		if !acceptsGzip(h.Fields) {
			t.Fatal("gzip refused")
		}
	})
	if allocs != 0 {
		t.Errorf("acceptsGzip allocates %v times", allocs)
	}
}
