package framework

import (
	"errors"
	"mime"
	"mime/multipart"
	"net/url"
)

// Forms: application/x-www-form-urlencoded and multipart/form-data bodies,
// parsed once on first use. Multipart parts beyond MaxFormMemory go to
// temporary files, which are removed when the request ends. The body
// limit bounds the whole form either way.

// MaxFormMemory is how much of a multipart form is held in memory; larger
// file parts are stored in temporary files.
const MaxFormMemory = 8 << 20

type formState struct {
	parsed bool
	values url.Values
	mp     *multipart.Form
	err    error
}

func (f *formState) cleanup() {
	if f.mp != nil {
		f.mp.RemoveAll()
	}
	*f = formState{}
}

// Form parses the request body as a form and returns its fields. A
// request whose body is not a form yields no fields and no error. A
// malformed form is a 400, one over the body limit a 413.
func (c *Ctx) Form() (url.Values, error) {
	f := &c.form
	if f.parsed {
		return f.values, f.err
	}
	f.parsed = true
	f.values = url.Values{}
	ct := c.RequestHeader("Content-Type")
	if ct == "" {
		return f.values, nil
	}
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil {
		f.err = &HTTPError{Code: StatusBadRequest, Message: "malformed Content-Type", Err: err}
		return f.values, f.err
	}
	switch mt {
	case "application/x-www-form-urlencoded":
		raw, err := c.BodyBytes() // ParseQuery copies what it keeps
		if err != nil {
			f.err = formReadError(err)
			return f.values, f.err
		}
		vs, err := url.ParseQuery(string(raw))
		if err != nil {
			f.err = &HTTPError{Code: StatusBadRequest, Message: "malformed form body", Err: err}
			return f.values, f.err
		}
		f.values = vs
	case "multipart/form-data":
		boundary := params["boundary"]
		if boundary == "" {
			f.err = &HTTPError{Code: StatusBadRequest, Message: "multipart form without a boundary"}
			return f.values, f.err
		}
		mp, err := multipart.NewReader(c.Body(), boundary).ReadForm(MaxFormMemory)
		if err != nil {
			f.err = formReadError(err)
			return f.values, f.err
		}
		f.mp = mp
		for k, v := range mp.Value {
			f.values[k] = v
		}
	}
	return f.values, nil
}

func formReadError(err error) error {
	var he *HTTPError
	switch {
	case errors.As(err, &he):
		return he
	case errors.Is(err, multipart.ErrMessageTooLarge):
		return &HTTPError{Code: StatusRequestEntityTooLarge, Message: "multipart form too large", Err: err}
	}
	return &HTTPError{Code: StatusBadRequest, Message: "malformed form body: " + err.Error(), Err: err}
}

// FormValue returns the first value of the named form field, or "" when
// it is missing or the form does not parse (call Form to see why).
func (c *Ctx) FormValue(name string) string {
	vs, _ := c.Form()
	return vs.Get(name)
}

// FormFile returns the named file of a multipart form. A missing file is
// a 400 that names the field.
func (c *Ctx) FormFile(name string) (*multipart.FileHeader, error) {
	if _, err := c.Form(); err != nil {
		return nil, err
	}
	if c.form.mp != nil {
		if fhs := c.form.mp.File[name]; len(fhs) > 0 {
			return fhs[0], nil
		}
	}
	return nil, &HTTPError{Code: StatusBadRequest, Message: "missing file field " + name}
}

// MultipartForm returns the parsed multipart form, with its files, or an
// error if the body is not one.
func (c *Ctx) MultipartForm() (*multipart.Form, error) {
	if _, err := c.Form(); err != nil {
		return nil, err
	}
	if c.form.mp == nil {
		return nil, &HTTPError{Code: StatusUnsupportedMediaType, Message: "expected a multipart/form-data body"}
	}
	return c.form.mp, nil
}
