package framework_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/groundup-go/groundup/framework"
	"github.com/groundup-go/groundup/framework/frameworktest"
)

// stAction answers with the action's name and the id, so a test can see
// which method a request reached.
func stAction(name string) framework.Handler {
	return func(c *framework.Ctx) error {
		return c.String(200, name+" "+c.Param("id"))
	}
}

// EntriesController is a controller with every action. A real one holds
// its dependencies (a *sql.DB, a logger) as fields.
type EntriesController struct{}

func (EntriesController) Index(c *framework.Ctx) error   { return stAction("index")(c) }
func (EntriesController) New(c *framework.Ctx) error     { return stAction("new")(c) }
func (EntriesController) Create(c *framework.Ctx) error  { return stAction("create")(c) }
func (EntriesController) Show(c *framework.Ctx) error    { return stAction("show")(c) }
func (EntriesController) Edit(c *framework.Ctx) error    { return stAction("edit")(c) }
func (EntriesController) Update(c *framework.Ctx) error  { return stAction("update")(c) }
func (EntriesController) Destroy(c *framework.Ctx) error { return stAction("destroy")(c) }

// stReadOnlyCtrl has only the read actions, on a pointer receiver.
type stReadOnlyCtrl struct{ calls int }

func (r *stReadOnlyCtrl) Index(c *framework.Ctx) error { r.calls++; return stAction("index")(c) }
func (r *stReadOnlyCtrl) Show(c *framework.Ctx) error  { r.calls++; return stAction("show")(c) }

type stNewOnlyCtrl struct{}

func (stNewOnlyCtrl) New(c *framework.Ctx) error    { return stAction("new")(c) }
func (stNewOnlyCtrl) Create(c *framework.Ctx) error { return stAction("create")(c) }

type stNewEditCtrl struct{}

func (stNewEditCtrl) New(c *framework.Ctx) error  { return stAction("new")(c) }
func (stNewEditCtrl) Edit(c *framework.Ctx) error { return stAction("edit")(c) }

func stRouteList(app *framework.App) string {
	var b strings.Builder
	for _, r := range app.Routes() {
		fmt.Fprintf(&b, "%s %s %s\n", r.Method, r.Path, r.RouteName())
	}
	return b.String()
}

func TestResourceRouteTable(t *testing.T) {
	tests := []struct {
		name  string
		setup func(app *framework.App)
		want  string
	}{
		{"full controller", func(app *framework.App) { app.Resource("/entries", EntriesController{}) }, `
GET /entries entries.index
GET /entries/new entries.new
POST /entries entries.create
GET /entries/:id entries.show
GET /entries/:id/edit entries.edit
PUT /entries/:id entries.update
PATCH /entries/:id 
DELETE /entries/:id entries.destroy
`},
		{"read-only controller", func(app *framework.App) { app.Resource("/photos/", &stReadOnlyCtrl{}) }, `
GET /photos photos.index
GET /photos/:id photos.show
`},
		{"new without show or edit", func(app *framework.App) { app.Resource("/signups", stNewOnlyCtrl{}) }, `
GET /signups/new signups.new
POST /signups signups.create
`},
		{"new and edit without show", func(app *framework.App) { app.Resource("/drafts", stNewEditCtrl{}) }, `
GET /drafts/new drafts.new
GET /drafts/:id/edit drafts.edit
`},
		{"nested path names by its last segment", func(app *framework.App) {
			app.Resource("/users/:user/posts", &stReadOnlyCtrl{})
		}, `
GET /users/:user/posts posts.index
GET /users/:user/posts/:id posts.show
`},
		{"group", func(app *framework.App) {
			app.Group("/admin").Group("/v2").Resource("/entries", &stReadOnlyCtrl{})
		}, `
GET /admin/v2/entries entries.index
GET /admin/v2/entries/:id entries.show
`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app := framework.New()
			tt.setup(app)
			if got := stRouteList(app); got != strings.TrimPrefix(tt.want, "\n") {
				t.Errorf("routes:\n%s\nwant:\n%s", got, strings.TrimPrefix(tt.want, "\n"))
			}
		})
	}
}

func TestResourceDispatch(t *testing.T) {
	full := framework.New()
	full.Resource("/entries", EntriesController{})
	readOnly := framework.New()
	readOnly.Resource("/photos", &stReadOnlyCtrl{})
	newEdit := framework.New()
	newEdit.Resource("/drafts", stNewEditCtrl{})
	newOnly := framework.New()
	newOnly.Resource("/signups", stNewOnlyCtrl{})

	tests := []struct {
		app            *framework.App
		method, target string
		status         int
		body           string
	}{
		{full, "GET", "/entries", 200, "index "},
		{full, "GET", "/entries/new", 200, "new "},
		{full, "POST", "/entries", 200, "create "},
		{full, "GET", "/entries/42", 200, "show 42"},
		{full, "HEAD", "/entries/42", 200, ""},
		{full, "GET", "/entries/42/edit", 200, "edit 42"},
		{full, "PUT", "/entries/42", 200, "update 42"},
		{full, "PATCH", "/entries/42", 200, "update 42"},
		{full, "DELETE", "/entries/42", 200, "destroy 42"},
		// "new" is static beside ":id", but "/new/edit" only fits
		// "/:id/edit": Edit gets the id "new", as echo's router would.
		{full, "GET", "/entries/new/edit", 200, "edit new"},
		{full, "POST", "/entries/42", 405, ""},
		{full, "GET", "/entries/", 301, ""},
		{readOnly, "GET", "/photos/new", 200, "show new"},
		{readOnly, "DELETE", "/photos/1", 405, ""},
		{readOnly, "POST", "/photos", 405, ""},
		{newEdit, "GET", "/drafts/new", 200, "new "},
		{newEdit, "GET", "/drafts/3", 404, ""},
		{newEdit, "GET", "/drafts/3/edit", 200, "edit 3"},
		{newOnly, "GET", "/signups/new", 200, "new "},
		{newOnly, "GET", "/signups/1", 404, ""},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.target, func(t *testing.T) {
			req := frameworktest.NewRequest(tt.method, tt.target)
			if tt.method == "POST" || tt.method == "PUT" || tt.method == "PATCH" {
				req.WithBody("text/plain", []byte("x"))
			}
			res := frameworktest.Test(tt.app.Serve, req)
			if res.Status != tt.status {
				t.Fatalf("status %d, want %d\n%s", res.Status, tt.status, res.Raw)
			}
			if tt.status == 200 && string(res.Body) != tt.body {
				t.Errorf("body %q, want %q", res.Body, tt.body)
			}
		})
	}
}

func TestResourceURLsAndMiddleware(t *testing.T) {
	app := framework.New()
	tag := func(v string) framework.Middleware {
		return func(next framework.Handler) framework.Handler {
			return func(c *framework.Ctx) error {
				c.Header().Add("X-Mw", v)
				return next(c)
			}
		}
	}
	admin := app.Group("/admin", tag("group"))
	admin.Resource("/entries", EntriesController{}, tag("resource"))

	for name, want := range map[string]string{
		"entries.index": "/admin/entries", "entries.new": "/admin/entries/new",
		"entries.show": "/admin/entries/7", "entries.edit": "/admin/entries/7/edit",
		"entries.update": "/admin/entries/7", "entries.destroy": "/admin/entries/7",
	} {
		var params []string
		if strings.Contains(want, "7") {
			params = []string{"7"}
		}
		if got, err := app.URL(name, params...); err != nil || got != want {
			t.Errorf("URL(%q): %q, %v; want %q", name, got, err, want)
		}
	}
	for _, target := range []string{"/admin/entries", "/admin/entries/new", "/admin/entries/7"} {
		res := frameworktest.Test(app.Serve, frameworktest.NewRequest("GET", target))
		var got []string
		for _, f := range res.Header.Fields() {
			if f.Name == "X-Mw" {
				got = append(got, f.Value)
			}
		}
		if strings.Join(got, ",") != "group,resource" {
			t.Errorf("%s: middleware ran as %v, want group then resource", target, got)
		}
	}
}

type stEmptyCtrl struct{ Name string }

type stWrongSig struct{}

func (stWrongSig) Index(c *framework.Ctx) error { return nil }
func (stWrongSig) Show(c *framework.Ctx)        {}

type stPtrOnly struct{}

func (*stPtrOnly) Index(c *framework.Ctx) error { return nil }

func TestResourceRegistrationPanics(t *testing.T) {
	tests := []struct {
		name  string
		setup func(app *framework.App)
		want  string // in the panic message
	}{
		{"empty controller", func(app *framework.App) { app.Resource("/x", stEmptyCtrl{}) }, "framework_test.stEmptyCtrl has none of the action methods"},
		{"nil controller", func(app *framework.App) { app.Resource("/x", nil) }, "nil controller"},
		{"wrong signature", func(app *framework.App) { app.Resource("/x", stWrongSig{}) }, "stWrongSig.Show has type"},
		{"pointer receiver passed by value", func(app *framework.App) { app.Resource("/x", stPtrOnly{}) }, "pointer receiver"},
		{"no segment to name it", func(app *framework.App) { app.Resource("/", EntriesController{}) }, "needs a last segment"},
		{"name collision", func(app *framework.App) {
			app.Resource("/entries", &stReadOnlyCtrl{})
			app.Group("/admin").Resource("/entries", EntriesController{})
		}, `route name "entries.index" is already used by GET /entries`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app := framework.New()
			var msg string
			func() {
				defer func() { msg = fmt.Sprint(recover()) }()
				tt.setup(app)
			}()
			if !strings.Contains(msg, tt.want) {
				t.Fatalf("panic %q, want it to contain %q", msg, tt.want)
			}
			if tt.name == "name collision" && len(app.Routes()) != 2 {
				t.Errorf("a colliding resource registered routes anyway:\n%s", stRouteList(app))
			}
		})
	}
}

func ExampleApp_Resource() {
	app := framework.New()
	app.Resource("/entries", EntriesController{})

	for _, r := range app.Routes() {
		line := fmt.Sprintf("%-6s %-18s %s", r.Method, r.Path, r.RouteName())
		fmt.Println(strings.TrimSpace(line))
	}
	url, _ := app.URL("entries.edit", "42")
	fmt.Println(url)
	// Output:
	// GET    /entries           entries.index
	// GET    /entries/new       entries.new
	// POST   /entries           entries.create
	// GET    /entries/:id       entries.show
	// GET    /entries/:id/edit  entries.edit
	// PUT    /entries/:id       entries.update
	// PATCH  /entries/:id
	// DELETE /entries/:id       entries.destroy
	// /entries/42/edit
}
