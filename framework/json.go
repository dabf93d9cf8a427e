package framework

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"reflect"
	"strings"
)

// JSON sends v encoded as JSON. An encoding error is a 500 from the view
// layer, and nothing is sent before it is known.
func (c *Ctx) JSON(code int, v any) error {
	c.res.header.setContentType(ctJSON)
	c.res.writeHeader(code)
	if c.enc == nil {
		// Made once for each pooled Ctx: it writes to c, whatever
		// request c serves.
		c.enc = json.NewEncoder(c)
	}
	if err := c.enc.Encode(v); err != nil {
		c.enc = nil // an Encoder keeps a write error for good
		c.res.discardBody()
		return &HTTPError{Code: StatusInternalServerError, Err: err, Layer: LayerView}
	}
	return nil
}

// BindJSON decodes the request body, which must be one JSON value of
// Content-Type application/json, into v. Unknown fields are refused.
// Errors are *HTTPError values with a message that says what was wrong and
// where: 415 for another content type, 413 past the body limit, 400 for
// anything else.
func (c *Ctx) BindJSON(v any) error {
	mt, _, _ := mime.ParseMediaType(c.RequestHeader("Content-Type"))
	if mt != "application/json" && !strings.HasSuffix(mt, "+json") {
		return &HTTPError{Code: StatusUnsupportedMediaType, Message: "expected Content-Type application/json"}
	}
	dec := json.NewDecoder(c.Body())
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return &HTTPError{Code: StatusBadRequest, Message: "invalid JSON: body must hold a single JSON value"}
	}
	return nil
}

// jsonError turns a decoding error into a client-readable 400.
func jsonError(err error) error {
	var (
		syntax *json.SyntaxError
		typ    *json.UnmarshalTypeError
		he     *HTTPError
	)
	switch {
	case errors.As(err, &he):
		return he
	case errors.As(err, &syntax):
		return &HTTPError{Code: StatusBadRequest, Message: fmt.Sprintf("invalid JSON at byte %d: %v", syntax.Offset, syntax), Err: err}
	case errors.As(err, &typ) && typ.Field == "":
		return &HTTPError{Code: StatusBadRequest, Message: fmt.Sprintf("invalid JSON: body must be %s, not %s", jsonKind(typ.Type), typ.Value), Err: err}
	case errors.As(err, &typ):
		return &HTTPError{Code: StatusBadRequest, Message: fmt.Sprintf("invalid JSON: field %q must be %s, not %s", typ.Field, jsonKind(typ.Type), typ.Value), Err: err}
	case errors.Is(err, io.EOF):
		return &HTTPError{Code: StatusBadRequest, Message: "invalid JSON: empty body"}
	case errors.Is(err, io.ErrUnexpectedEOF):
		return &HTTPError{Code: StatusBadRequest, Message: "invalid JSON: body ends early"}
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return &HTTPError{Code: StatusBadRequest, Message: "invalid JSON: " + strings.TrimPrefix(err.Error(), "json: "), Err: err}
	}
	return &HTTPError{Code: StatusBadRequest, Message: "invalid JSON: " + err.Error(), Err: err}
}

// jsonKind names a Go type the way a JSON client thinks of it: "an
// object", not "models.EntryInput".
func jsonKind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Struct, reflect.Map:
		return "an object"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Pointer:
		return jsonKind(t.Elem())
	}
	return t.String()
}
