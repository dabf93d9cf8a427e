package framework_test

import (
	"strings"
	"testing"

	"github.com/groundup-go/groundup/framework"
	"github.com/groundup-go/groundup/framework/frameworktest"
)

// FuzzTrees registers a random set of valid routes and asks random paths
// of it. For each, dispatch and Explain must agree, and the route that
// matched must be the one the slow reference matcher below picks: of all
// routes that match, the most specific, segment by segment.
func FuzzTrees(f *testing.F) {
	for _, seed := range []string{
		"\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09",
		"\x10\x22\x31\x47\x15\x26\x37\x44\x99\xaa\xbb\xcc",
		"\x03\x12\x25\x33\x41\x02\x15\x28\x31\x45\x57\x61\x70\x81",
		"\xff\xee\xdd\xcc\xbb\xaa\x99\x88\x77\x66\x55\x44\x33\x22\x11",
		"\x07\x31\x52\x13\x64\x05\x36\x27\x58\x19\x4a\x2b\x6c\x0d",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		in := &fuzzBytes{b: data}
		app := framework.New()
		var routes []*framework.Route
		for range 1 + in.next()%8 {
			method, pattern := fuzzMethods[in.next()%3], fuzzPattern(in)
			func() {
				defer func() { _ = recover() }() // a duplicate shape: skipped
				routes = append(routes, app.Handle(method, pattern, patternHandler))
			}()
		}
		for range 1 + in.next()%6 {
			method, path := fuzzMethods[in.next()%len(fuzzMethods)], fuzzPath(in)
			res := frameworktest.Test(app.Serve, frameworktest.NewRequest(method, path))
			if res.Err != nil {
				t.Fatalf("%s %s: %v", method, path, res.Err)
			}
			agree(t, app, method, path, res)
			if method != "GET" && method != "POST" && method != "HEAD" {
				continue
			}
			want, params := refMatch(routes, method, path)
			if want == nil && method == "HEAD" {
				want, params = refMatch(routes, "GET", path) // HEAD falls back to GET
			}
			e := app.Explain(method, path)
			if e.Route != want {
				t.Fatalf("%s %s: router matched %v, the reference %v\n%s", method, path, routeLabel(e.Route), routeLabel(want), e)
			}
			if want != nil && !equalParams(e.Params, params) {
				t.Fatalf("%s %s: params %v, the reference %v", method, path, e.Params, params)
			}
			if want == nil && method != "HEAD" {
				// A miss redirects when the other trailing-slash form
				// has a route.
				other := path + "/"
				if strings.HasSuffix(path, "/") {
					other = path[:len(path)-1]
				}
				if r, _ := refMatch(routes, method, other); r != nil && e.Location != other {
					t.Fatalf("%s %s: no redirect to %s, which matches %s\n%s", method, path, other, routeLabel(r), e)
				}
			}
		}
	})
}

var fuzzMethods = []string{"GET", "POST", "HEAD", "DELETE", "OPTIONS"}

type fuzzBytes struct {
	b []byte
	i int
}

func (f *fuzzBytes) next() int {
	if f.i >= len(f.b) {
		return 0
	}
	f.i++
	return int(f.b[f.i-1])
}

// fuzzPattern builds a valid pattern of one to three segments from a
// small alphabet, so that routes overlap often.
func fuzzPattern(in *fuzzBytes) string {
	segs := []string{"a", "b", "new", ":id", ":name", "*rest"}
	n := 1 + in.next()%3
	var b strings.Builder
	for i := range n {
		s := segs[in.next()%len(segs)]
		if s[0] == '*' && i < n-1 {
			s = "live"
		}
		b.WriteString("/" + s)
		if s[0] == '*' {
			return b.String()
		}
	}
	if in.next()%4 == 0 {
		b.WriteString("/")
	}
	return b.String()
}

func fuzzPath(in *fuzzBytes) string {
	segs := []string{"a", "b", "new", "live", "7"}
	var b strings.Builder
	for range 1 + in.next()%4 {
		b.WriteString("/" + segs[in.next()%len(segs)])
	}
	if in.next()%3 == 0 {
		b.WriteString("/")
	}
	return b.String()
}

// refMatch is the slow reference: try every route of method, keep the
// most specific that matches. It shares no code with the router.
func refMatch(routes []*framework.Route, method, path string) (*framework.Route, []framework.RouteParam) {
	var best *framework.Route
	var bestParams []framework.RouteParam
	for _, r := range routes {
		if r.Method != method {
			continue
		}
		ps, ok := refAccepts(r.Path, path)
		if !ok {
			continue
		}
		if best == nil || refMoreSpecific(r.Path, best.Path) {
			best, bestParams = r, ps
		}
	}
	return best, bestParams
}

// refAccepts matches a pattern against a path segment by segment: a
// static segment must be equal, ":x" takes one non-empty segment, "*x"
// the rest of the path with its leading slash.
func refAccepts(pattern, path string) ([]framework.RouteParam, bool) {
	pat := strings.Split(pattern, "/")[1:]
	seg := strings.Split(path, "/")[1:]
	var ps []framework.RouteParam
	for i, p := range pat {
		if strings.HasPrefix(p, "*") {
			if i >= len(seg) {
				return nil, false
			}
			return append(ps, framework.RouteParam{p[1:], "/" + strings.Join(seg[i:], "/")}), true
		}
		if i >= len(seg) {
			return nil, false
		}
		switch {
		case strings.HasPrefix(p, ":"):
			if seg[i] == "" {
				return nil, false
			}
			ps = append(ps, framework.RouteParam{p[1:], seg[i]})
		case p != seg[i]:
			return nil, false
		}
	}
	return ps, len(pat) == len(seg)
}

// refMoreSpecific compares two patterns that match one path: the first
// segment where their kinds differ decides, static before parameter
// before catch-all.
func refMoreSpecific(a, b string) bool {
	kind := func(s string) int {
		switch {
		case strings.HasPrefix(s, "*"):
			return 2
		case strings.HasPrefix(s, ":"):
			return 1
		}
		return 0
	}
	as, bs := strings.Split(a, "/"), strings.Split(b, "/")
	for i := 0; i < len(as) && i < len(bs); i++ {
		if ka, kb := kind(as[i]), kind(bs[i]); ka != kb {
			return ka < kb
		}
	}
	return false
}

func equalParams(a, b []framework.RouteParam) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func routeLabel(r *framework.Route) string {
	if r == nil {
		return "nothing"
	}
	return r.Method + " " + r.Path
}
