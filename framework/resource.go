package framework

import (
	"fmt"
	"reflect"
	"strings"
)

// Resources: the C of MVC. A controller is a struct that holds its
// dependencies (a database handle, a logger), and its methods are the
// handlers of one resource. Resource maps the conventional actions onto
// the methods the controller has, so that a CRUD resource is one line in
// app/routes.go.

// One interface per action: a controller has an action when it has the
// method, with exactly this signature.
type (
	resourceIndex   interface{ Index(*Ctx) error }
	resourceNew     interface{ New(*Ctx) error }
	resourceCreate  interface{ Create(*Ctx) error }
	resourceShow    interface{ Show(*Ctx) error }
	resourceEdit    interface{ Edit(*Ctx) error }
	resourceUpdate  interface{ Update(*Ctx) error }
	resourceDestroy interface{ Destroy(*Ctx) error }
)

// resourceMethods lists the action methods, for error messages.
var resourceMethods = [...]string{"Index", "New", "Create", "Show", "Edit", "Update", "Destroy"}

// Resource registers the conventional routes of a resource at path for
// each action method that ctrl has. Each method has the signature
// func(*Ctx) error; the route names use the last segment of path as their
// base, here "entries" for Resource("/entries", ctrl):
//
//	method       path               controller method   route name
//	GET          /entries           Index               entries.index
//	GET          /entries/new       New                 entries.new
//	POST         /entries           Create              entries.create
//	GET          /entries/:id       Show                entries.show
//	GET          /entries/:id/edit  Edit                entries.edit
//	PUT          /entries/:id       Update              entries.update
//	PATCH        /entries/:id       Update              (same URL as entries.update)
//	DELETE       /entries/:id       Destroy             entries.destroy
//
// An action the controller lacks gets no route. mw wraps every route of
// the resource. Registration panics if ctrl has none of the methods, if a
// method of one of these names has another signature (or needs a pointer
// receiver and ctrl is not a pointer), or if a route name is taken.
//
// HTML forms can only GET and POST. A form reaches Update or Destroy by
// POSTing to /entries/:id with a hidden field _method=PUT, PATCH or
// DELETE, which the MethodOverride middleware turns into the real method
// before routing: register it with App.Use.
//
// "new" beside ":id" is a static segment beside a parameter, which one
// httprouter tree cannot hold; the router keeps them in two trees, and
// /entries/new reaches New while /entries/new/edit reaches Edit with the
// id "new" (a 404 from a controller that parses ids). See chapter 6.
func (a *App) Resource(path string, ctrl any, mw ...Middleware) {
	registerResource(a, path, ctrl, mw)
}

// Resource registers a resource under the group's prefix, with the
// group's middleware before mw. See App.Resource.
func (g *Group) Resource(path string, ctrl any, mw ...Middleware) {
	registerResource(g.app, g.prefix+path, ctrl, append(g.mw[:len(g.mw):len(g.mw)], mw...))
}

// resourceRoutes are the conventional routes, in registration order:
// the HTTP method, the path after the resource's, the controller method,
// and the route name after the base ("" for none: PATCH shares the URL of
// update).
//
// "new" is a static segment beside ":id": the router puts the two in
// separate trees, and the static one wins for /entries/new.
var resourceRoutes = [...]struct{ method, suffix, action, name string }{
	{"GET", "", "Index", "index"},
	{"GET", "/new", "New", "new"},
	{"POST", "", "Create", "create"},
	{"GET", "/:id", "Show", "show"},
	{"GET", "/:id/edit", "Edit", "edit"},
	{"PUT", "/:id", "Update", "update"},
	{"PATCH", "/:id", "Update", ""},
	{"DELETE", "/:id", "Destroy", "destroy"},
}

// resourceAction returns ctrl's handler for an action method, or nil.
// Interface assertions, not reflection: the handler is a plain method
// value, as fast to call as any other.
func resourceAction(ctrl any, action string) Handler {
	switch action {
	case "Index":
		if x, ok := ctrl.(resourceIndex); ok {
			return x.Index
		}
	case "New":
		if x, ok := ctrl.(resourceNew); ok {
			return x.New
		}
	case "Create":
		if x, ok := ctrl.(resourceCreate); ok {
			return x.Create
		}
	case "Show":
		if x, ok := ctrl.(resourceShow); ok {
			return x.Show
		}
	case "Edit":
		if x, ok := ctrl.(resourceEdit); ok {
			return x.Edit
		}
	case "Update":
		if x, ok := ctrl.(resourceUpdate); ok {
			return x.Update
		}
	case "Destroy":
		if x, ok := ctrl.(resourceDestroy); ok {
			return x.Destroy
		}
	}
	return nil
}

func registerResource(a *App, p string, ctrl any, mw []Middleware) {
	p = strings.TrimSuffix(p, "/")
	base := strings.TrimLeft(p[strings.LastIndexByte(p, '/')+1:], ":*")
	if base == "" {
		panic(fmt.Sprintf("groundup: Resource path %q needs a last segment to name its routes", p))
	}
	checkResourceMethods(ctrl)

	var handlers [len(resourceRoutes)]Handler
	found := false
	for i, rr := range resourceRoutes {
		handlers[i] = resourceAction(ctrl, rr.action)
		found = found || handlers[i] != nil
	}
	if !found {
		panic(fmt.Sprintf("groundup: Resource %q: %T has none of the action methods %s with signature func(*framework.Ctx) error",
			p, ctrl, strings.Join(resourceMethods[:], ", ")))
	}
	// Check every name first, so that a collision panics before any
	// route of the resource is registered.
	for i, rr := range resourceRoutes {
		if name := base + "." + rr.name; handlers[i] != nil && rr.name != "" && a.names[name] != nil {
			r := a.names[name]
			panic(fmt.Sprintf("groundup: Resource %q: route name %q is already used by %s %s", p, name, r.Method, r.Path))
		}
	}
	for i, rr := range resourceRoutes {
		if handlers[i] == nil {
			continue
		}
		r := a.Handle(rr.method, p+rr.suffix, handlers[i], mw...)
		r.actionName = methodName(ctrl, rr.action)
		if rr.name != "" {
			r.Name(base + "." + rr.name)
		}
	}
}

// checkResourceMethods panics when ctrl has a method named like an action
// that will not be used: a wrong signature, or a pointer receiver on a
// controller passed by value. Left silent, either would be a route that
// quietly does not exist.
func checkResourceMethods(ctrl any) {
	if ctrl == nil {
		panic("groundup: Resource with a nil controller")
	}
	t := reflect.TypeOf(ctrl)
	want := reflect.TypeOf((func(*Ctx) error)(nil))
	for _, name := range resourceMethods {
		if m, ok := t.MethodByName(name); ok {
			// m.Type includes the receiver; compare the rest.
			if m.Type.NumIn() != 2 || m.Type.In(1) != want.In(0) || m.Type.NumOut() != 1 || m.Type.Out(0) != want.Out(0) || m.Type.IsVariadic() {
				panic(fmt.Sprintf("groundup: Resource: %T.%s has type %s; an action must be func(*framework.Ctx) error", ctrl, name, m.Type))
			}
			continue
		}
		if t.Kind() != reflect.Pointer {
			if _, ok := reflect.PointerTo(t).MethodByName(name); ok {
				panic(fmt.Sprintf("groundup: Resource: %s has a pointer receiver; pass &%s{...}, not a %s value", name, t, t))
			}
		}
	}
}
