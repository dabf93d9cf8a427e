package framework_test

import (
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/netip"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/groundup-go/groundup/framework"
	"github.com/groundup-go/groundup/framework/frameworktest"
)

// bindAll has a field of every kind Bind converts.
type bindAll struct {
	S     string        `query:"s"`
	I     int           `query:"i"`
	I8    int8          `query:"i8"`
	I64   int64         `query:"i64"`
	U     uint          `query:"u"`
	U8    uint8         `query:"u8"`
	B     bool          `query:"b"`
	F32   float32       `query:"f32"`
	F64   float64       `query:"f64"`
	T     time.Time     `query:"t"`
	D     time.Duration `query:"d"`
	Ints  []int         `query:"ints"`
	Opt   *int          `query:"opt"`
	OptT  *time.Time    `query:"optt"`
	Addr  netip.Addr    `query:"addr"` // encoding.TextUnmarshaler
	Addrs []netip.Addr  `query:"addrs"`
}

// bindRun binds target's query into a bindAll through a real app and
// returns what was bound, or the error response.
func bindRun(t *testing.T, req *frameworktest.Request, v any) (*frameworktest.Response, any) {
	t.Helper()
	app := framework.New()
	h := func(c *framework.Ctx) error {
		if err := c.Bind(v); err != nil {
			return err
		}
		return c.JSON(framework.StatusOK, v)
	}
	app.Handle(req.Method, "/x", h)
	app.Handle(req.Method, "/items/:id", h)
	res := frameworktest.Test(app.Serve, req)
	return res, v
}

func TestBindQueryTypes(t *testing.T) {
	seven := 7
	day := time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)
	cases := []struct {
		query string
		check func(b *bindAll) bool
	}{
		{"s=hello+world", func(b *bindAll) bool { return b.S == "hello world" }},
		{"s=", func(b *bindAll) bool { return b.S == "" }},
		{"i=-42", func(b *bindAll) bool { return b.I == -42 }},
		{"i8=-128", func(b *bindAll) bool { return b.I8 == -128 }},
		{"i64=9223372036854775807", func(b *bindAll) bool { return b.I64 == 1<<63-1 }},
		{"u=42", func(b *bindAll) bool { return b.U == 42 }},
		{"u8=255", func(b *bindAll) bool { return b.U8 == 255 }},
		{"b=true", func(b *bindAll) bool { return b.B }},
		{"b=on", func(b *bindAll) bool { return b.B }},
		{"b=1", func(b *bindAll) bool { return b.B }},
		{"b=false", func(b *bindAll) bool { return !b.B }},
		{"f32=1.5", func(b *bindAll) bool { return b.F32 == 1.5 }},
		{"f64=-2.25e3", func(b *bindAll) bool { return b.F64 == -2250 }},
		{"t=2026-11-30T12:30:00Z", func(b *bindAll) bool { return b.T.Equal(day.Add(12*time.Hour + 30*time.Minute)) }},
		{"t=2026-11-30T12:30:00%2B01:00", func(b *bindAll) bool { return b.T.Equal(day.Add(11*time.Hour + 30*time.Minute)) }},
		{"t=2026-11-30", func(b *bindAll) bool { return b.T.Equal(day) }},
		{"t=2026-11-30T08:15", func(b *bindAll) bool { return b.T.Equal(day.Add(8*time.Hour + 15*time.Minute)) }},
		{"d=1m30s", func(b *bindAll) bool { return b.D == 90*time.Second }},
		{"ints=1&ints=2&ints=3", func(b *bindAll) bool { return reflect.DeepEqual(b.Ints, []int{1, 2, 3}) }},
		{"opt=7", func(b *bindAll) bool { return b.Opt != nil && *b.Opt == seven }},
		{"opt=", func(b *bindAll) bool { return b.Opt == nil }},
		{"", func(b *bindAll) bool { return b.Opt == nil && b.OptT == nil && b.Ints == nil }},
		{"optt=2026-11-30", func(b *bindAll) bool { return b.OptT != nil && b.OptT.Equal(day) }},
		{"addr=127.0.0.1", func(b *bindAll) bool { return b.Addr == netip.MustParseAddr("127.0.0.1") }},
		{"addrs=::1&addrs=10.0.0.1", func(b *bindAll) bool { return len(b.Addrs) == 2 && b.Addrs[1].String() == "10.0.0.1" }},
		{"_method=PUT&s=x", func(b *bindAll) bool { return b.S == "x" }}, // "_" keys are middleware's
	}
	for _, tc := range cases {
		t.Run(tc.query, func(t *testing.T) {
			res, v := bindRun(t, frameworktest.NewRequest("GET", "/x?"+tc.query), &bindAll{})
			if res.Status != 200 {
				t.Fatalf("status %d: %s", res.Status, res.Body)
			}
			if !tc.check(v.(*bindAll)) {
				t.Errorf("bound %+v", v)
			}
		})
	}
}

func TestBindQueryErrors(t *testing.T) {
	cases := []struct {
		query, want string
	}{
		{"i=abc", `query parameter "i" must be an integer, not "abc"`},
		{"i=1.5", `query parameter "i" must be an integer, not "1.5"`},
		{"i=", `query parameter "i" must be an integer, not empty`},
		{"i8=128", `query parameter "i8" must be an integer from -128 to 127, not 128`},
		{"i8=-129", `query parameter "i8" must be an integer from -128 to 127, not -129`},
		{"i64=9223372036854775808", `query parameter "i64" must be an integer from -9223372036854775808 to 9223372036854775807, not 9223372036854775808`},
		{"u=-1", `query parameter "u" must be a non-negative integer, not "-1"`},
		{"u8=256", `query parameter "u8" must be an integer from 0 to 255, not 256`},
		{"b=yes", `query parameter "b" must be true or false, not "yes"`},
		{"b=", `query parameter "b" must be true or false, not empty`},
		{"f64=x", `query parameter "f64" must be a number, not "x"`},
		{"f64=NaN", `query parameter "f64" must be a number, not "NaN"`},
		{"f64=Inf", `query parameter "f64" must be a number, not "Inf"`},
		{"f32=1e39", `query parameter "f32" must be a number in range, not 1e39`},
		{"t=yesterday", `query parameter "t" must be a time (RFC 3339, or a date 2006-01-02), not "yesterday"`},
		{"t=2026-13-01", `query parameter "t" must be a time (RFC 3339, or a date 2006-01-02), not "2026-13-01"`},
		{"d=90", `query parameter "d" must be a duration such as 1m30s, not "90"`},
		{"ints=1&ints=x", `query parameter "ints" must be an integer, not "x"`},
		{"opt=x", `query parameter "opt" must be an integer, not "x"`},
		{"addr=300.1.1.1", `query parameter "addr" is not valid: `},
		{"s=a&s=b", `query parameter "s" must be given once, not 2 times`},
		{"nope=1", `unknown query parameter "nope"`},
	}
	for _, tc := range cases {
		t.Run(tc.query, func(t *testing.T) {
			res, _ := bindRun(t, frameworktest.NewRequest("GET", "/x?"+tc.query).Set("Accept", "application/json"), &bindAll{})
			if res.Status != 400 {
				t.Fatalf("status %d, want 400: %s", res.Status, res.Body)
			}
			var body struct{ Error string }
			if err := json.Unmarshal(res.Body, &body); err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(body.Error, tc.want) {
				t.Errorf("error %q\nwant %q", body.Error, tc.want)
			}
		})
	}
}

// bindEntry reads one entry from every source at once.
type bindEntry struct {
	ID      int64    `param:"id"`
	Page    int      `query:"page"`
	Name    string   `form:"name" json:"name"`
	Tags    []string `form:"tag" json:"tags"`
	Visible *bool    `form:"visible" json:"visible"`
}

func TestBindSources(t *testing.T) {
	yes := true
	want := bindEntry{ID: 42, Page: 2, Name: "Ada", Tags: []string{"a", "b"}, Visible: &yes}
	reqs := map[string]*frameworktest.Request{
		"urlencoded": frameworktest.NewRequest("POST", "/items/42?page=2").
			WithForm(url.Values{"name": {"Ada"}, "tag": {"a", "b"}, "visible": {"on"}, "_csrf": {"token"}}),
		"multipart": frameworktest.NewRequest("POST", "/items/42?page=2").
			WithMultipart(url.Values{"name": {"Ada"}, "tag": {"a", "b"}, "visible": {"true"}}),
		"json": frameworktest.NewRequest("POST", "/items/42?page=2").
			WithJSON(map[string]any{"name": "Ada", "tags": []string{"a", "b"}, "visible": true}),
		// The path has the last word: a body cannot move the request to
		// another id.
		"json naming the id": frameworktest.NewRequest("POST", "/items/42?page=2").
			WithJSON(map[string]any{"ID": 7, "name": "Ada", "tags": []string{"a", "b"}, "visible": true}),
	}
	for name, req := range reqs {
		t.Run(name, func(t *testing.T) {
			res, v := bindRun(t, req, &bindEntry{})
			if res.Status != 200 {
				t.Fatalf("status %d: %s", res.Status, res.Body)
			}
			if !reflect.DeepEqual(*v.(*bindEntry), want) {
				t.Errorf("bound %+v, want %+v", *v.(*bindEntry), want)
			}
		})
	}
}

func TestBindBodyErrors(t *testing.T) {
	cases := []struct {
		name   string
		req    *frameworktest.Request
		status int
		want   string
	}{
		{"unknown form field", frameworktest.NewRequest("POST", "/items/1").WithForm(url.Values{"nme": {"x"}}), 400, `unknown form field "nme"`},
		{"bool form field", frameworktest.NewRequest("POST", "/items/1").WithForm(url.Values{"visible": {"maybe"}}), 400, `form field "visible" must be true or false, not "maybe"`},
		{"twice", frameworktest.NewRequest("POST", "/items/1").WithForm(url.Values{"name": {"a", "b"}}), 400, `form field "name" must be given once, not 2 times`},
		{"unknown JSON field", frameworktest.NewRequest("POST", "/items/1").WithJSON(map[string]any{"nme": "x"}), 400, `invalid JSON: unknown field "nme"`},
		{"JSON type", frameworktest.NewRequest("POST", "/items/1").WithJSON(map[string]any{"name": 5}), 400, `invalid JSON: field "name" must be a string, not number`},
		{"bad path parameter", frameworktest.NewRequest("GET", "/items/abc"), 400, `path parameter "id" must be an integer, not "abc"`},
		{"path overflow", frameworktest.NewRequest("GET", "/items/99999999999999999999"), 400, `path parameter "id" must be an integer from`},
		{"other content type", frameworktest.NewRequest("POST", "/items/1").WithBody("text/plain", []byte("hi")), 415, `expected a JSON or form body, not "text/plain"`},
		{"malformed content type", frameworktest.NewRequest("POST", "/items/1").WithBody("text/", []byte("hi")), 400, `malformed Content-Type`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res, _ := bindRun(t, tc.req.Set("Accept", "application/json"), &bindEntry{})
			var body struct{ Error string }
			json.Unmarshal(res.Body, &body)
			if res.Status != tc.status || !strings.HasPrefix(body.Error, tc.want) {
				t.Errorf("%d %q\nwant %d %q", res.Status, body.Error, tc.status, tc.want)
			}
		})
	}
}

// signup validates itself with a FieldErrors.
type signup struct {
	Name  string `form:"name" json:"name"`
	Email string `form:"email" json:"email"`
}

func (s signup) Validate() error {
	errs := framework.FieldErrors{}
	if s.Name == "" {
		errs.Add("name", "Name is required.")
	}
	if !strings.Contains(s.Email, "@") {
		errs.Add("email", "Email needs an @.")
	}
	return errs.Err()
}

// plainCheck validates itself with a plain error.
type plainCheck struct {
	N int `query:"n"`
}

func (p plainCheck) Validate() error {
	if p.N%2 != 0 {
		return fmt.Errorf("n must be even")
	}
	return nil
}

func TestBindValidates(t *testing.T) {
	t.Run("JSON lists every field", func(t *testing.T) {
		res, _ := bindRun(t, frameworktest.NewRequest("POST", "/x").WithJSON(map[string]any{"email": "nope"}), &signup{})
		if res.Status != 422 {
			t.Fatalf("status %d: %s", res.Status, res.Body)
		}
		want := `{"error":"invalid input: email: Email needs an @.; name: Name is required.","status":422,"fields":{"email":"Email needs an @.","name":"Name is required."}}` + "\n"
		if string(res.Body) != want {
			t.Errorf("body %s\nwant %s", res.Body, want)
		}
	})
	t.Run("HTML lists every field", func(t *testing.T) {
		res, _ := bindRun(t, frameworktest.NewRequest("POST", "/x").Set("Accept", "text/html").
			WithForm(url.Values{"name": {"<b>"}, "email": {"x"}}), &signup{})
		if res.Status != 422 {
			t.Fatalf("status %d: %s", res.Status, res.Body)
		}
		want := `<ul class="field-errors"><li><strong>email</strong>: Email needs an @.</li></ul>`
		if !strings.Contains(string(res.Body), want) {
			t.Errorf("body %s\nwant it to hold %s", res.Body, want)
		}
	})
	t.Run("valid", func(t *testing.T) {
		res, _ := bindRun(t, frameworktest.NewRequest("POST", "/x").WithForm(url.Values{"name": {"Ada"}, "email": {"a@b"}}), &signup{})
		if res.Status != 200 {
			t.Fatalf("status %d: %s", res.Status, res.Body)
		}
	})
	t.Run("plain error", func(t *testing.T) {
		res, _ := bindRun(t, frameworktest.NewRequest("GET", "/x?n=3").Set("Accept", "application/json"), &plainCheck{})
		if res.Status != 422 || !strings.Contains(string(res.Body), `"error":"n must be even"`) {
			t.Errorf("%d %s", res.Status, res.Body)
		}
	})
}

func TestBindNotAStruct(t *testing.T) {
	var n int
	res, _ := bindRun(t, frameworktest.NewRequest("GET", "/x"), &n)
	if res.Status != 500 {
		t.Errorf("status %d, want 500", res.Status)
	}
}

func TestFieldErrors(t *testing.T) {
	errs := framework.FieldErrors{}
	if errs.Err() != nil {
		t.Fatal("empty FieldErrors is an error")
	}
	errs.Add("name", "first")
	errs.Add("name", "second")
	errs.Add("age", "too young")
	if !errs.Has("name") || errs.Has("email") || errs.Get("name") != "first" {
		t.Errorf("%v", errs)
	}
	if got := errs.Error(); got != "age: too young; name: first" {
		t.Errorf("Error() = %q", got)
	}
	if framework.StatusCode(errs.Err()) != 422 {
		t.Errorf("status %d", framework.StatusCode(errs))
	}
}

func TestBindUnsupportedFieldIsTheServers(t *testing.T) {
	var v struct {
		M map[string]string `query:"m"`
	}
	res, _ := bindRun(t, frameworktest.NewRequest("GET", "/x?m=1"), &v)
	if res.Status != 500 {
		t.Errorf("status %d, want 500: %s", res.Status, res.Body)
	}
}

func TestBindFiles(t *testing.T) {
	type upload struct {
		Title  string                  `form:"title"`
		Avatar *multipart.FileHeader   `form:"avatar"`
		Extras []*multipart.FileHeader `form:"extra"`
	}
	req := frameworktest.NewRequest("POST", "/x").WithMultipart(url.Values{"title": {"me"}},
		frameworktest.File{Field: "avatar", Name: "a.png", Content: []byte("png")},
		frameworktest.File{Field: "extra", Name: "b.txt", Content: []byte("b")},
		frameworktest.File{Field: "extra", Name: "c.txt", Content: []byte("c")})
	var got upload
	res, _ := bindRun(t, req, &got)
	if res.Status != 200 || got.Title != "me" || got.Avatar == nil || got.Avatar.Filename != "a.png" || len(got.Extras) != 2 {
		t.Fatalf("%d %s: %+v", res.Status, res.Body, got)
	}
	req = frameworktest.NewRequest("POST", "/x").Set("Accept", "application/json").WithMultipart(nil,
		frameworktest.File{Field: "avatar", Name: "a.png"}, frameworktest.File{Field: "avatar", Name: "b.png"})
	res, _ = bindRun(t, req, &upload{})
	if res.Status != 400 || !strings.Contains(string(res.Body), `form field \"avatar\" must be one file, not 2`) {
		t.Errorf("%d %s", res.Status, res.Body)
	}
}
