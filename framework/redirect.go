package framework

// RedirectTo redirects to the named route, its parameters filled in
// order as App.URL fills them: c.RedirectTo(StatusSeeOther,
// "entries.show", "42"). A name with no route, or parameters that do not
// fit it, is a 500 that says which: a bug in the app, not the client's.
func (c *Ctx) RedirectTo(code int, name string, params ...string) error {
	if c.app == nil {
		return &HTTPError{Code: StatusInternalServerError, Layer: LayerController,
			Err: errNoApp}
	}
	u, err := c.app.URL(name, params...)
	if err != nil {
		return &HTTPError{Code: StatusInternalServerError, Err: err, Layer: LayerController}
	}
	return c.Redirect(code, u)
}
