package framework_test

import (
	"fmt"
	"net/url"

	"github.com/groundup-go/groundup/framework"
	"github.com/groundup-go/groundup/framework/frameworktest"
)

// SignupInput is what a signup form or JSON client sends.
type SignupInput struct {
	Team  string `param:"team"`
	Name  string `form:"name" json:"name"`
	Age   *int   `form:"age" json:"age"` // optional
	Email string `form:"email" json:"email"`
}

// Validate makes SignupInput a framework.Validator: Bind calls it.
func (in SignupInput) Validate() error {
	errs := framework.FieldErrors{}
	if in.Name == "" {
		errs.Add("name", "Name is required.")
	}
	if in.Age != nil && *in.Age < 13 {
		errs.Add("age", "You must be 13 or older.")
	}
	return errs.Err()
}

// One call binds the path parameter, the form or JSON body, and
// validates; a bad value is a 400 that names the field, a failed
// validation a 422 with every field's message.
func ExampleCtx_Bind() {
	app := framework.New()
	app.POST("/teams/:team/members", func(c *framework.Ctx) error {
		var in SignupInput
		if err := c.Bind(&in); err != nil {
			return err
		}
		return c.String(framework.StatusCreated, fmt.Sprintf("%s joins %s, age %d", in.Name, in.Team, *in.Age))
	})
	send := func(req *frameworktest.Request) {
		res := frameworktest.Test(app.Serve, req)
		fmt.Printf("%d %s\n", res.Status, res.Body)
	}
	send(frameworktest.NewRequest("POST", "/teams/blue/members").
		WithForm(url.Values{"name": {"Ada"}, "age": {"36"}}))
	send(frameworktest.NewRequest("POST", "/teams/blue/members").
		WithJSON(map[string]any{"name": "Ada", "age": "36"}))
	send(frameworktest.NewRequest("POST", "/teams/blue/members").Set("Accept", "*/*").
		WithForm(url.Values{"name": {"Ada"}, "age": {"3b"}}))
	send(frameworktest.NewRequest("POST", "/teams/blue/members").Set("Accept", "*/*").
		WithForm(url.Values{"age": {"7"}}))
	// Output:
	// 201 Ada joins blue, age 36
	// 400 {"error":"invalid JSON: field \"age\" must be an integer, not string","status":400}
	//
	// 400 {"error":"form field \"age\" must be an integer, not \"3b\"","status":400}
	//
	// 422 {"error":"invalid input: age: You must be 13 or older.; name: Name is required.","status":422,"fields":{"age":"You must be 13 or older.","name":"Name is required."}}
}

// A route's name is enough to redirect to it.
func ExampleCtx_RedirectTo() {
	app := framework.New()
	app.GET("/entries/:id", func(c *framework.Ctx) error { return nil }).Name("entries.show")
	app.POST("/entries", func(c *framework.Ctx) error {
		return c.RedirectTo(framework.StatusSeeOther, "entries.show", "42")
	})
	res := frameworktest.Test(app.Serve, frameworktest.NewRequest("POST", "/entries"))
	fmt.Println(res.Status, res.Header.Get("Location"))
	// Output: 303 /entries/42
}

// A group marked API answers errors in JSON, even to a browser.
func ExampleGroup_API() {
	app := framework.New()
	api := app.Group("/api").API()
	api.GET("/items/:id", func(c *framework.Ctx) error {
		return framework.NewError(framework.StatusNotFound, "no item "+c.Param("id"))
	})
	res := frameworktest.Test(app.Serve, frameworktest.NewRequest("GET", "/api/items/7").Set("Accept", "text/html"))
	fmt.Printf("%d %s", res.Status, res.Body)
	// Output: 404 {"error":"no item 7","status":404}
}
