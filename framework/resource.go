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

func registerResource(a *App, p string, ctrl any, mw []Middleware) {
	p = strings.TrimSuffix(p, "/")
	base := strings.TrimLeft(p[strings.LastIndexByte(p, '/')+1:], ":*")
	if base == "" {
		panic(fmt.Sprintf("groundup: Resource path %q needs a last segment to name its routes", p))
	}
	checkResourceMethods(ctrl)

	index, hasIndex := ctrl.(resourceIndex)
	newer, hasNew := ctrl.(resourceNew)
	create, hasCreate := ctrl.(resourceCreate)
	show, hasShow := ctrl.(resourceShow)
	edit, hasEdit := ctrl.(resourceEdit)
	update, hasUpdate := ctrl.(resourceUpdate)
	destroy, hasDestroy := ctrl.(resourceDestroy)
	if !hasIndex && !hasNew && !hasCreate && !hasShow && !hasEdit && !hasUpdate && !hasDestroy {
		panic(fmt.Sprintf("groundup: Resource %q: %T has none of the action methods %s with signature func(*framework.Ctx) error",
			p, ctrl, strings.Join(resourceMethods[:], ", ")))
	}

	// Check every name first, so that a collision panics before any
	// route of the resource is registered.
	has := map[string]bool{"index": hasIndex, "new": hasNew, "create": hasCreate, "show": hasShow,
		"edit": hasEdit, "update": hasUpdate, "destroy": hasDestroy}
	for _, action := range [...]string{"index", "new", "create", "show", "edit", "update", "destroy"} {
		if name := base + "." + action; has[action] && a.names[name] != nil {
			r := a.names[name]
			panic(fmt.Sprintf("groundup: Resource %q: route name %q is already used by %s %s", p, name, r.Method, r.Path))
		}
	}

	handle := func(method, path, action string, h Handler) *Route {
		r := a.Handle(method, path, h, mw...)
		r.actionName = methodName(ctrl, action)
		return r
	}
	// "new" is a static segment beside ":id": the router puts the two in
	// separate trees, and the static one wins for /entries/new.
	if hasIndex {
		handle("GET", p, "Index", index.Index).Name(base + ".index")
	}
	if hasNew {
		handle("GET", p+"/new", "New", newer.New).Name(base + ".new")
	}
	if hasCreate {
		handle("POST", p, "Create", create.Create).Name(base + ".create")
	}
	if hasShow {
		handle("GET", p+"/:id", "Show", show.Show).Name(base + ".show")
	}
	if hasEdit {
		handle("GET", p+"/:id/edit", "Edit", edit.Edit).Name(base + ".edit")
	}
	if hasUpdate {
		handle("PUT", p+"/:id", "Update", update.Update).Name(base + ".update")
		handle("PATCH", p+"/:id", "Update", update.Update)
	}
	if hasDestroy {
		handle("DELETE", p+"/:id", "Destroy", destroy.Destroy).Name(base + ".destroy")
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
