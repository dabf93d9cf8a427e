package framework_test

import (
	"testing"

	"github.com/groundup-go/groundup/framework"
	"github.com/groundup-go/groundup/framework/frameworktest"
)

// TestCrossSite is the origin rule's table: Fetch Metadata first, then
// Origin, then Referer, against the Host; trusted origins; non-browsers.
func TestCrossSite(t *testing.T) {
	trusted := func(u string) bool { return u == "https://admin.example.com" || u == "https://admin.example.com/page" }
	tests := []struct {
		name    string
		fields  []string
		trusted func(string) bool
		want    string
	}{
		{"no browser headers", nil, nil, ""},
		{"same-origin", []string{"Sec-Fetch-Site", "same-origin"}, nil, ""},
		{"typed in the address bar", []string{"Sec-Fetch-Site", "none"}, nil, ""},
		{"cross-site", []string{"Sec-Fetch-Site", "cross-site"}, nil, "Sec-Fetch-Site is cross-site"},
		{"same-site is not same-origin", []string{"Sec-Fetch-Site", "same-site"}, nil, "Sec-Fetch-Site is same-site"},
		{"Fetch Metadata beats Origin", []string{"Sec-Fetch-Site", "cross-site", "Origin", "http://example.com"}, nil, "Sec-Fetch-Site is cross-site"},
		{"Origin of this host", []string{"Origin", "http://example.com"}, nil, ""},
		{"Origin with the default port", []string{"Origin", "https://example.com:443"}, nil, ""},
		{"Origin of another host", []string{"Origin", "https://evil.example"}, nil, "Origin https://evil.example is not Host example.com"},
		{"Origin null", []string{"Origin", "null"}, nil, "Origin null is not Host example.com"},
		{"trusted Origin beats Fetch Metadata", []string{"Origin", "https://admin.example.com", "Sec-Fetch-Site", "cross-site"}, trusted, ""},
		{"Referer of this host", []string{"Referer", "http://example.com/entries"}, nil, ""},
		{"Referer of another host", []string{"Referer", "https://evil.example/page"}, nil, "Referer host differs from Host example.com"},
		{"trusted Referer", []string{"Referer", "https://admin.example.com/page"}, trusted, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got string
			req := frameworktest.NewRequest("GET", "/")
			for i := 0; i+1 < len(tt.fields); i += 2 {
				req.Set(tt.fields[i], tt.fields[i+1])
			}
			frameworktest.Test(func(c *framework.Ctx) error {
				got = framework.CrossSite(c, tt.trusted)
				return nil
			}, req)
			if got != tt.want {
				t.Errorf("CrossSite = %q, want %q", got, tt.want)
			}
		})
	}
}
