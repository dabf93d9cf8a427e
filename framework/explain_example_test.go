package framework_test

import (
	"fmt"

	"github.com/groundup-go/groundup/framework"
	"github.com/groundup-go/groundup/framework/frameworktest"
)

// A static segment beside a parameter: one httprouter tree cannot hold
// both, so the router keeps two, and the most specific match wins.
// Explain shows the decision without running a handler.
func ExampleApp_Explain() {
	app := framework.New()
	show := func(c *framework.Ctx) error { return c.String(200, "entry "+c.Param("id")) }
	app.GET("/entries/new", func(c *framework.Ctx) error { return c.String(200, "form") }).Name("entries.new")
	app.GET("/entries/:id", show).Name("entries.show")

	fmt.Print(app.Explain("GET", "/entries/new"))
	fmt.Println(app.Explain("GET", "/entries/7").Result())
	fmt.Println(app.Explain("DELETE", "/entries/7").Result())
	res := frameworktest.Test(app.Serve, frameworktest.NewRequest("GET", "/entries/7"))
	fmt.Println(string(res.Body))
	// Output:
	// GET /entries/new (2 trees)
	//   tree 0: GET /entries/new: matches /entries/new
	//   tree 1: not asked: /entries/new has no parameters, so nothing is more specific
	// => GET /entries/new (entries.new)
	// GET /entries/:id (entries.show) with id="7"
	// 405 Method Not Allowed, Allow: GET, HEAD, OPTIONS
	// entry 7
}
