package framework_test

import (
	"fmt"

	"github.com/groundup-go/groundup/framework"
	"github.com/groundup-go/groundup/framework/frameworktest"
)

// A static segment beside a parameter: one httprouter tree cannot hold
// both, so the router keeps two, and the most specific match wins. A
// route without parameters is the most specific there is: the router
// finds it by its exact path, in the static table, before any tree.
// Explain shows the decision without running a handler.
func ExampleApp_Explain() {
	app := framework.New()
	show := func(c *framework.Ctx) error { return c.String(200, "entry "+c.Param("id")) }
	app.GET("/entries/new", func(c *framework.Ctx) error { return c.String(200, "form") }).Name("entries.new")
	app.GET("/entries/:id", show).Name("entries.show")

	fmt.Print(app.Explain("GET", "/entries/7"))
	fmt.Print(app.Explain("GET", "/entries/new"))
	fmt.Println(app.Explain("DELETE", "/entries/7").Result())
	res := frameworktest.Test(app.Serve, frameworktest.NewRequest("GET", "/entries/7"))
	fmt.Println(string(res.Body))
	// Output:
	// GET /entries/7 (2 trees)
	//   tree 0: not asked: every route in it starts with "/entries/new"
	//   tree 1: GET /entries/7: matches /entries/:id with id="7"
	// => GET /entries/:id (entries.show) with id="7"
	// GET /entries/new (2 trees)
	//   static table: GET /entries/new matches a route without parameters, so no tree is asked
	// => GET /entries/new (entries.new)
	// 405 Method Not Allowed, Allow: GET, HEAD, OPTIONS
	// entry 7
}
