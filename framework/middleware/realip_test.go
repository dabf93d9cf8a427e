package middleware_test

import (
	"testing"

	"github.com/groundup-go/groundup/framework"
	"github.com/groundup-go/groundup/framework/frameworktest"
	"github.com/groundup-go/groundup/framework/middleware"
)

// TestRealIPReachesLoggerAndHandler runs RealIP in front of Logger, as an
// app behind a proxy would: the in-memory connection's peer is 192.0.2.1.
func TestRealIPReachesLoggerAndHandler(t *testing.T) {
	tests := []struct {
		name    string
		trusted string
		xff     string
		want    string
	}{
		{"the peer is the trusted proxy", "192.0.2.0/24", "198.51.100.7", "198.51.100.7"},
		{"a spoofed hop left of the real one", "192.0.2.0/24", "6.6.6.6, 198.51.100.7", "198.51.100.7"},
		{"the peer is not trusted", "10.0.0.0/8", "198.51.100.7", "192.0.2.1:1234"},
		{"no header", "192.0.2.0/24", "", "192.0.2.1:1234"},
		{"a malformed header", "192.0.2.0/24", "bogus", "192.0.2.1:1234"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			trusted, err := middleware.ParseTrustedProxies(tt.trusted)
			if err != nil {
				t.Fatal(err)
			}
			logs := &frameworktest.Logs{}
			app := framework.New()
			app.Use(middleware.RealIP(middleware.RealIPConfig{TrustedProxies: trusted}), middleware.Logger(logs.Logger()))
			app.GET("/", func(c *framework.Ctx) error { return c.String(200, c.RemoteAddr()) })
			req := frameworktest.NewRequest("GET", "/")
			if tt.xff != "" {
				req.Set("X-Forwarded-For", tt.xff)
			}
			res := frameworktest.Test(app.Serve, req)
			if string(res.Body) != tt.want {
				t.Errorf("handler saw %q, want %q", res.Body, tt.want)
			}
			if l := logs.Find(t, "request"); l == nil || l["remote"] != tt.want {
				t.Errorf("Logger logged remote %v, want %q", l["remote"], tt.want)
			}
		})
	}
}

func ExampleRealIP() {
	// nginx on this host sets X-Forwarded-For.
	trusted, _ := middleware.ParseTrustedProxies("127.0.0.1, ::1")
	app := framework.New()
	app.Use(
		middleware.RealIP(middleware.RealIPConfig{TrustedProxies: trusted}),
		middleware.Logger(nil), // logs the client's address, not nginx's
	)
	app.GET("/", func(c *framework.Ctx) error {
		return c.String(framework.StatusOK, "hello, "+c.RemoteAddr())
	})
}
