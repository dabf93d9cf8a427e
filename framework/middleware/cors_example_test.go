package middleware_test

import (
	"fmt"
	"time"

	"github.com/groundup-go/groundup/framework"
	"github.com/groundup-go/groundup/framework/frameworktest"
	"github.com/groundup-go/groundup/framework/middleware"
)

// CORS on a group: the router's automatic OPTIONS lets it answer the
// browser's preflight, and the actual request gets its
// Access-Control-Allow-Origin.
func ExampleCORS() {
	app := framework.New()
	api := app.Group("/api", middleware.CORS(middleware.CORSConfig{
		AllowOrigins: []string{"https://app.example"},
		AllowMethods: []string{"GET", "DELETE"},
		MaxAge:       time.Hour,
	}))
	api.DELETE("/items/:id", func(c *framework.Ctx) error { return c.NoContent(framework.StatusNoContent) })

	pre := frameworktest.Test(app.Serve, frameworktest.NewRequest("OPTIONS", "/api/items/1").
		Set("Origin", "https://app.example").Set("Access-Control-Request-Method", "DELETE"))
	fmt.Println(pre.Status, pre.Header.Get("Access-Control-Allow-Origin"),
		pre.Header.Get("Access-Control-Allow-Methods"), pre.Header.Get("Access-Control-Max-Age"))

	res := frameworktest.Test(app.Serve, frameworktest.NewRequest("DELETE", "/api/items/1").
		Set("Origin", "https://app.example"))
	fmt.Println(res.Status, res.Header.Get("Access-Control-Allow-Origin"), res.Header.Get("Vary"))
	// Output:
	// 204 https://app.example GET, DELETE 3600
	// 204 https://app.example Origin
}

// Timeout on one route: the handler's context ends at the deadline, and
// the client gets a 503 instead of waiting.
func ExampleTimeout() {
	app := framework.New()
	app.GET("/report", func(c *framework.Ctx) error {
		<-c.Context().Done() // a query that takes too long
		return c.Context().Err()
	}, middleware.Timeout(10*time.Millisecond, middleware.TimeoutConfig{}))
	res := frameworktest.Test(app.Serve, frameworktest.NewRequest("GET", "/report").Set("Accept", "*/*"))
	fmt.Printf("%d %s", res.Status, res.Body)
	// Output: 503 {"error":"Service Unavailable","status":503}
}

// MethodOverride on a group panics at registration: it must run before
// routing, which only App.Use does.
func ExampleMethodOverride_onAGroup() {
	defer func() { fmt.Println(recover()) }()
	framework.New().Group("/entries", middleware.MethodOverride())
	// Output: groundup: middleware.MethodOverride must be added with App.Use, not on a group or route: it changes the method the router matches, and on a group the route is already chosen (a form's POST would get 405) (on group /entries)
}
