package main

import (
	"net/url"
	"testing"

	"github.com/groundup-go/groundup/framework/frameworktest"
)

func TestHello(t *testing.T) {
	app := newApp()
	tests := []struct {
		req    *frameworktest.Request
		status int
		body   string
	}{
		{frameworktest.NewRequest("GET", "/"), 200, ""},
		{frameworktest.NewRequest("POST", "/greet").WithForm(url.Values{"name": {"Ada"}}), 200, `{"greeting":"Hello, Ada!"}` + "\n"},
		{frameworktest.NewRequest("POST", "/greet").Set("Accept", "application/json").WithForm(url.Values{}), 422, `{"error":"name is required","status":422}` + "\n"},
	}
	for _, tt := range tests {
		res := frameworktest.Test(app.Serve, tt.req)
		if res.Status != tt.status || tt.body != "" && string(res.Body) != tt.body {
			t.Errorf("%s %s: %d %s", tt.req.Method, tt.req.Target, res.Status, res.Body)
		}
	}
}
