package framework

import (
	"encoding"
	"errors"
	"fmt"
	"math"
	"mime"
	"mime/multipart"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Binding: one call reads the whole request into a struct, by tags.
//
//	type EntryQuery struct {
//		ID      int64      `param:"id"`    // the route's :id
//		Page    *int       `query:"page"`  // ?page=2; nil when absent
//		Name    string     `form:"name" json:"name"`
//		Tags    []string   `form:"tag" json:"tags"`
//		Since   time.Time  `query:"since"` // RFC 3339 or 2006-01-02
//	}
//
// Bind fills it from the body first (JSON through BindJSON, or a form),
// then the query, then the path parameters, so that the path, which chose
// the route, has the last word. It is as strict as BindJSON: a value that
// does not convert, overflows, or arrives twice for a field that holds
// one, and a query or form key that no field names, is a 400 whose
// message names the field. Keys that begin with "_" (the "_method" and
// "_csrf" fields of forms) are left to the middleware that reads them.

// Validator is implemented by input types that check themselves. Bind
// calls Validate after a successful binding; an error from it is a 422
// (see FieldErrors).
type Validator interface {
	Validate() error
}

// Bind reads path parameters (tag "param"), the query string ("query"),
// and the body into the struct v points to: a JSON body as BindJSON does
// (tag "json", unknown fields refused), an url-encoded or multipart form
// by tag "form" (a *multipart.FileHeader or []*multipart.FileHeader field
// takes the form's files). A request without a body, or whose body is
// neither, binds no body fields; another Content-Type with a body is a
// 415 when v has form or json tags. A JSON body may set any field
// encoding/json would, so the path and query, bound after it, win.
//
// Fields may be strings, signed and unsigned integers, bools ("true",
// "false", "1", "0", and a checkbox's "on"), floats, time.Time (RFC 3339,
// "2006-01-02T15:04" as a datetime-local input sends it, or a date
// "2006-01-02"), time.Duration ("1m30s"), any type whose pointer
// implements encoding.TextUnmarshaler, slices of those (one element per
// repeated key), and pointers to those, which stay nil when the key is
// absent or empty: the way to mark a field optional. An empty value for
// a non-pointer number, bool or time is refused. Embedded structs are
// walked.
//
// Errors are *HTTPError values: 400 for what did not bind, naming the
// field; 413 and 415 as Form and BindJSON answer them; and, when v
// implements Validator and Validate fails, 422 whose Err is the error
// returned (a FieldErrors answers with every field's message).
//
// A struct type without tags that Bind understands, or a v that is not a
// pointer to a struct, is a programming error: a 500 that says so.
func (c *Ctx) Bind(v any) error {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() || rv.Elem().Kind() != reflect.Struct {
		return &HTTPError{Code: StatusInternalServerError, Layer: LayerController,
			Err: fmt.Errorf("groundup: Bind needs a non-nil pointer to a struct, got %T", v)}
	}
	info := bindInfoFor(rv.Elem().Type())
	if err := c.bindBody(v, rv.Elem(), info); err != nil {
		return err
	}
	if len(info.query) > 0 {
		if err := bindValues(rv.Elem(), info.query, c.QueryValues(), nil, "query parameter"); err != nil {
			return err
		}
	}
	for _, f := range info.param {
		raw, ok := c.paramValue(f.name)
		if !ok {
			continue
		}
		if err := setField(f.field(rv.Elem()), []string{raw}, "path parameter", f.name); err != nil {
			return err
		}
	}
	return validate(v)
}

// validate runs v's Validate, if it has one, and turns a failure into a
// 422.
func validate(v any) error {
	val, ok := v.(Validator)
	if !ok {
		return nil
	}
	err := val.Validate()
	if err == nil {
		return nil
	}
	var fe FieldErrors
	if errors.As(err, &fe) {
		if len(fe) == 0 {
			return nil // an empty FieldErrors returned as an error means none
		}
		return &HTTPError{Code: StatusUnprocessableEntity, Message: "invalid input: " + fe.Error(), Err: err, Layer: LayerController}
	}
	var sc StatusCoder
	if errors.As(err, &sc) {
		return err
	}
	return &HTTPError{Code: StatusUnprocessableEntity, Message: err.Error(), Err: err, Layer: LayerController}
}

func (c *Ctx) paramValue(name string) (string, bool) {
	for _, p := range c.params {
		if p.Key == name {
			return p.Value, true
		}
	}
	return "", false
}

// bindBody binds a JSON or form body, by Content-Type.
func (c *Ctx) bindBody(v any, rv reflect.Value, info *bindInfo) error {
	ct := c.RequestHeader("Content-Type")
	hasBody := c.head.ContentLength > 0 || c.head.Chunked
	if ct == "" && !hasBody {
		return nil
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil && ct != "" {
		return &HTTPError{Code: StatusBadRequest, Message: "malformed Content-Type", Err: err}
	}
	switch {
	case mt == "application/json" || strings.HasSuffix(mt, "+json"):
		// A request that declares JSON owes a JSON value: an empty body is
		// a 400, as BindJSON answers it, not a struct left empty.
		return c.BindJSON(v)
	case mt == "application/x-www-form-urlencoded" || mt == "multipart/form-data":
		form, err := c.Form()
		if err != nil {
			return err
		}
		var files map[string][]*multipart.FileHeader
		if c.form.mp != nil {
			files = c.form.mp.File
		}
		if len(info.form) == 0 && (len(form) > 0 || len(files) > 0) {
			if key := firstPublicKey(form, files); key != "" {
				return &HTTPError{Code: StatusBadRequest, Message: fmt.Sprintf("unknown form field %q", key)}
			}
			return nil
		}
		return bindValues(rv, info.form, form, files, "form field")
	case !hasBody:
		return nil
	case len(info.form) > 0 || info.json:
		return &HTTPError{Code: StatusUnsupportedMediaType, Message: "expected a JSON or form body, not " + strconv.Quote(mt)}
	}
	return nil
}

func firstPublicKey(vs url.Values, files map[string][]*multipart.FileHeader) string {
	for k := range vs {
		if !strings.HasPrefix(k, "_") {
			return k
		}
	}
	for k := range files {
		if !strings.HasPrefix(k, "_") {
			return k
		}
	}
	return ""
}

// bindValues sets each field from vs (and files), and refuses keys that
// name no field.
func bindValues(rv reflect.Value, fields []bindField, vs url.Values, files map[string][]*multipart.FileHeader, where string) error {
	for k := range vs {
		if !strings.HasPrefix(k, "_") && !hasField(fields, k) {
			return &HTTPError{Code: StatusBadRequest, Message: fmt.Sprintf("unknown %s %q", where, k)}
		}
	}
	for k := range files {
		if !strings.HasPrefix(k, "_") && !hasField(fields, k) {
			return &HTTPError{Code: StatusBadRequest, Message: fmt.Sprintf("unknown %s %q", where, k)}
		}
	}
	for _, f := range fields {
		fv := f.field(rv)
		if f.file {
			if fhs := files[f.name]; len(fhs) > 0 {
				if err := setFiles(fv, fhs, where, f.name); err != nil {
					return err
				}
			}
			continue
		}
		raw, ok := vs[f.name]
		if !ok {
			continue
		}
		if err := setField(fv, raw, where, f.name); err != nil {
			return err
		}
	}
	return nil
}

func hasField(fields []bindField, name string) bool {
	for _, f := range fields {
		if f.name == name {
			return true
		}
	}
	return false
}

var (
	fileHeaderType  = reflect.TypeFor[*multipart.FileHeader]()
	fileHeadersType = reflect.TypeFor[[]*multipart.FileHeader]()
	timeType        = reflect.TypeFor[time.Time]()
	durationType    = reflect.TypeFor[time.Duration]()
	textUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()
	bindTimeLayouts = []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02T15:04", time.DateOnly}
)

func setFiles(fv reflect.Value, fhs []*multipart.FileHeader, where, name string) error {
	switch fv.Type() {
	case fileHeaderType:
		if len(fhs) > 1 {
			return bindError(where, name, "must be one file, not "+strconv.Itoa(len(fhs)))
		}
		fv.Set(reflect.ValueOf(fhs[0]))
	case fileHeadersType:
		fv.Set(reflect.ValueOf(fhs))
	}
	return nil
}

// setField converts raw into fv: every element for a slice, else the one
// value.
func setField(fv reflect.Value, raw []string, where, name string) error {
	t := fv.Type()
	if t.Kind() == reflect.Slice && !implementsText(t) {
		out := reflect.MakeSlice(t, len(raw), len(raw))
		for i, s := range raw {
			if err := setScalar(out.Index(i), s); err != nil {
				return bindError(where, name, err.Error())
			}
		}
		fv.Set(out)
		return nil
	}
	if len(raw) > 1 {
		return bindError(where, name, "must be given once, not "+strconv.Itoa(len(raw))+" times")
	}
	s := ""
	if len(raw) == 1 {
		s = raw[0]
	}
	if err := setScalar(fv, s); err != nil {
		return bindError(where, name, err.Error())
	}
	return nil
}

func bindError(where, name, problem string) error {
	if strings.HasPrefix(problem, "has type ") {
		// The struct, not the client, is wrong.
		return &HTTPError{Code: StatusInternalServerError, Layer: LayerController,
			Err: fmt.Errorf("groundup: Bind: %s %q %s", where, name, problem)}
	}
	return &HTTPError{Code: StatusBadRequest, Message: fmt.Sprintf("%s %q %s", where, name, problem)}
}

func implementsText(t reflect.Type) bool {
	return reflect.PointerTo(t).Implements(textUnmarshaler)
}

// setScalar converts s into fv. Its errors read after the field's name:
// `must be an integer, not "x"`.
func setScalar(fv reflect.Value, s string) error {
	t := fv.Type()
	if t.Kind() == reflect.Pointer {
		if s == "" {
			fv.SetZero()
			return nil
		}
		p := reflect.New(t.Elem())
		if err := setScalar(p.Elem(), s); err != nil {
			return err
		}
		fv.Set(p)
		return nil
	}
	if implementsText(t) && t != timeType {
		if err := fv.Addr().Interface().(encoding.TextUnmarshaler).UnmarshalText([]byte(s)); err != nil {
			return fmt.Errorf("is not valid: %v", err)
		}
		return nil
	}
	if s == "" && t.Kind() != reflect.String {
		return fmt.Errorf("must be %s, not empty", bindKind(t))
	}
	switch {
	case t == timeType:
		for _, layout := range bindTimeLayouts {
			if tm, err := time.Parse(layout, s); err == nil {
				fv.Set(reflect.ValueOf(tm))
				return nil
			}
		}
		return fmt.Errorf("must be %s, not %q", bindKind(t), s)
	case t == durationType:
		d, err := time.ParseDuration(s)
		if err != nil {
			return fmt.Errorf("must be %s, not %q", bindKind(t), s)
		}
		fv.SetInt(int64(d))
		return nil
	}
	return setKind(fv, t, s)
}

// setKind is setScalar for the basic kinds: string, bool and numbers.
func setKind(fv reflect.Value, t reflect.Type, s string) error {
	switch t.Kind() {
	case reflect.String:
		fv.SetString(s)
	case reflect.Bool:
		switch strings.ToLower(s) {
		case "true", "1", "on":
			fv.SetBool(true)
		case "false", "0", "off":
			fv.SetBool(false)
		default:
			return fmt.Errorf("must be true or false, not %q", s)
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, err := strconv.ParseInt(s, 10, t.Bits())
		if err != nil {
			if errors.Is(err, strconv.ErrRange) {
				lo, hi := int64(-1)<<(t.Bits()-1), int64(1)<<(t.Bits()-1)-1
				return fmt.Errorf("must be an integer from %d to %d, not %s", lo, hi, s)
			}
			return fmt.Errorf("must be an integer, not %q", s)
		}
		fv.SetInt(n)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		n, err := strconv.ParseUint(s, 10, t.Bits())
		if err != nil {
			if errors.Is(err, strconv.ErrRange) {
				return fmt.Errorf("must be an integer from 0 to %d, not %s", uint64(math.MaxUint64)>>(64-t.Bits()), s)
			}
			return fmt.Errorf("must be a non-negative integer, not %q", s)
		}
		fv.SetUint(n)
	case reflect.Float32, reflect.Float64:
		n, err := strconv.ParseFloat(s, t.Bits())
		if err != nil || math.IsInf(n, 0) || math.IsNaN(n) {
			if errors.Is(err, strconv.ErrRange) {
				return fmt.Errorf("must be a number in range, not %s", s)
			}
			return fmt.Errorf("must be a number, not %q", s)
		}
		fv.SetFloat(n)
	default:
		return fmt.Errorf("has type %s, which Bind cannot fill", t)
	}
	return nil
}

// bindKind names what a field expects, for error messages.
func bindKind(t reflect.Type) string {
	switch t {
	case timeType:
		return "a time (RFC 3339, or a date 2006-01-02)"
	case durationType:
		return "a duration such as 1m30s"
	}
	return jsonKind(t)
}

// bindInfo is what Bind knows about a struct type, worked out once.
type bindInfo struct {
	param, query, form []bindField
	json               bool // some field has a json tag, or the struct takes JSON by field name
}

type bindField struct {
	name  string
	index []int
	file  bool
}

func (f bindField) field(rv reflect.Value) reflect.Value { return rv.FieldByIndex(f.index) }

var bindInfos sync.Map // reflect.Type → *bindInfo

func bindInfoFor(t reflect.Type) *bindInfo {
	if v, ok := bindInfos.Load(t); ok {
		return v.(*bindInfo)
	}
	info := &bindInfo{}
	collectBindFields(t, nil, info)
	v, _ := bindInfos.LoadOrStore(t, info)
	return v.(*bindInfo)
}

func collectBindFields(t reflect.Type, index []int, info *bindInfo) {
	for i := range t.NumField() {
		sf := t.Field(i)
		idx := append(index[:len(index):len(index)], i)
		if sf.Anonymous && sf.Type.Kind() == reflect.Struct && sf.Tag == "" {
			collectBindFields(sf.Type, idx, info)
			continue
		}
		if !sf.IsExported() {
			continue
		}
		if tag, ok := sf.Tag.Lookup("json"); ok && tag != "-" {
			info.json = true
		}
		for _, src := range []struct {
			key  string
			list *[]bindField
		}{{"param", &info.param}, {"query", &info.query}, {"form", &info.form}} {
			name, ok := sf.Tag.Lookup(src.key)
			if !ok || name == "-" {
				continue
			}
			name, _, _ = strings.Cut(name, ",")
			if name == "" {
				name = sf.Name
			}
			file := src.key == "form" && (sf.Type == fileHeaderType || sf.Type == fileHeadersType)
			*src.list = append(*src.list, bindField{name: name, index: idx, file: file})
		}
	}
}
