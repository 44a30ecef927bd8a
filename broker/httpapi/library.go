package httpapi

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"path"
	"reflect"
	"strings"

	"github.com/kexie/techbroker/broker"
)

// collection describes the routes of one Library: its path name, its tag
// in the document and its export columns.
type collection[T broker.Record] struct {
	name, tag, title string
	lib              *broker.Library[T]
	columns          []column[T]
	importable       bool
	readOnly         bool
}

// ImportResult is what an import did, row by row (see
// broker.ImportReport). Duplicates name the stored record a row
// duplicates only when the caller may read it.
type ImportResult struct {
	Batch      string         `json:"batch"`
	Rows       int            `json:"rows"`
	Created    []string       `json:"created"`
	Merged     []string       `json:"merged,omitempty"`
	Duplicates []DuplicateRow `json:"duplicates,omitempty"`
	Errors     []ProblemField `json:"errors,omitempty"`
}

// DuplicateRow is a row skipped as a duplicate: of an earlier row ("row
// N") or of a stored record (its ID, or empty when the caller may not
// read it).
type DuplicateRow struct {
	Row int    `json:"row"`
	Of  string `json:"of,omitempty"`
}

const (
	csvType       = "text/csv"
	ndjson        = "application/x-ndjson"
	multipartType = "multipart/form-data"
)

func (col collection[T]) routes(h *handler) []*route {
	base := "/v1/" + col.name
	item := base + "/{id}"
	t := typeOf[T]()
	rs := []*route{
		{method: "GET", path: base, op: "list_" + col.name, tag: col.tag, summary: "List " + col.title + " you may see, by ID",
			params: []param{q("broker", "only records of this industry broker"), q("stage", "only records in this status or stage")},
			out:    []response{pageOf[T]("a page")}, list: true, export: len(col.columns) > 0,
			fn: func(c *call) error {
				o, err := c.listOptions()
				if err != nil {
					return err
				}
				if f := c.exportFormat(); f != "" {
					return exportList(c, f, col.name, col.columns, func(o broker.ListOptions) (broker.Page[T], error) {
						return col.lib.List(c.ctx, c.p, o)
					}, o)
				}
				pg, err := col.lib.List(c.ctx, c.p, o)
				if err != nil {
					return err
				}
				return c.page(pg.Items, pg.Next)
			}},
		{method: "GET", path: item, op: "get_" + col.name, tag: col.tag, summary: "Get one of the " + col.title,
			out: []response{ok[T]("the record, redacted for you")},
			fn: func(c *call) error {
				c.visible = func() bool { return false }
				v, err := col.lib.Get(c.ctx, c.p, c.id())
				if err != nil {
					return err
				}
				return c.record(http.StatusOK, v)
			}},
	}
	if col.readOnly {
		return rs
	}
	rs = append(rs,
		&route{method: "POST", path: base, op: "create_" + col.name, tag: col.tag, summary: "Create one of the " + col.title,
			in: t, out: []response{created[T]("the record as stored")},
			fn: func(c *call) error {
				var v T
				if err := c.decode(&v); err != nil {
					return err
				}
				v, err := col.lib.Create(c.ctx, c.p, v)
				if err != nil {
					return err
				}
				return c.record(http.StatusCreated, v)
			}},
		&route{method: "PUT", path: item, op: "update_" + col.name, tag: col.tag, summary: "Replace one of the " + col.title + " (If-Match: the version read)",
			in: t, ifMatch: true, out: []response{ok[T]("the record as stored, with its new version")},
			fn: func(c *call) error {
				c.visible = visibleIn(c, col.lib)
				version, err := c.ifMatch()
				if err != nil {
					return err
				}
				var v T
				if err := c.decode(&v); err != nil {
					return err
				}
				setIdentity(&v, c.id(), version)
				v, err = col.lib.Update(c.ctx, c.p, v)
				if err != nil {
					return err
				}
				return c.record(http.StatusOK, v)
			}},
		&route{method: "DELETE", path: item, op: "delete_" + col.name, tag: col.tag, summary: "Delete one of the " + col.title + " (If-Match: the version read)",
			ifMatch: true, out: []response{{status: 204, doc: "deleted"}},
			fn: func(c *call) error {
				c.visible = visibleIn(c, col.lib)
				version, err := c.ifMatch()
				if err != nil {
					return err
				}
				if err := col.lib.Delete(c.ctx, c.p, c.id(), version); err != nil {
					return err
				}
				c.wrote = true
				c.w.WriteHeader(http.StatusNoContent)
				return nil
			}},
	)
	if col.importable {
		rs = append(rs, &route{method: "POST", path: base + "/import", op: "import_" + col.name, tag: col.tag,
			summary: "Import " + col.title + " from an upload: CSV (text/csv), JSON Lines (application/x-ndjson) or a multipart form with a file field",
			inTypes: []string{csvType, ndjson, multipartType},
			params: []param{qb("partial", "write the good rows when some are bad (default: write nothing then)"),
				q("duplicates", "report (default) or merge"), q("batch", "the batch name recorded in every record's provenance")},
			out: []response{ok[ImportResult]("what the import did; with partial=true, the bad rows are listed in errors")},
			fn:  func(c *call) error { return importInto(c, col.lib) }})
	}
	return rs
}

// visibleIn returns the check that the path's record is readable by the
// caller.
func visibleIn[T broker.Record](c *call, lib *broker.Library[T]) func() bool {
	return func() bool {
		_, err := lib.Get(c.ctx, c.p, c.id())
		return err == nil
	}
}

// setIdentity puts the path's ID and the If-Match version on a record.
func setIdentity[T broker.Record](v *T, id string, version int64) {
	m := metaPtr(v)
	m.ID, m.Version = id, version
}

// metaPtr returns the embedded Meta of a record value.
func metaPtr[T broker.Record](v *T) *broker.Meta {
	return reflect.ValueOf(v).Elem().FieldByName("Meta").Addr().Interface().(*broker.Meta)
}

// decode reads the request's JSON body into v.
func (c *call) decode(v any) error {
	if err := requireType(c.r, "application/json"); err != nil {
		return err
	}
	body, err := readLimited(c.r, c.w, c.h.o.MaxBodyBytes)
	if err != nil {
		return err
	}
	c.body = body
	return unmarshalStrict(body, v)
}

func importInto[T broker.Record](c *call, lib *broker.Library[T]) error {
	o := broker.ImportOptions{Partial: c.query("partial") == "true", Batch: c.query("batch")}
	switch c.query("duplicates") {
	case "", "report":
	case "merge":
		o.OnDuplicate = broker.DuplicateMerge
	default:
		return fail(http.StatusBadRequest, "bad_query", "duplicates must be report or merge.", "duplicates须为report或merge。",
			broker.FieldError{Field: "duplicates", Code: "oneof", Param: "report merge", Value: c.query("duplicates")})
	}
	if err := requireType(c.r, csvType, ndjson, "application/jsonl", multipartType); err != nil {
		return err
	}
	body, err := readLimited(c.r, c.w, c.h.o.MaxUploadBytes)
	if err != nil {
		return err
	}
	mt, params, _ := mime.ParseMediaType(c.r.Header.Get("Content-Type"))
	var in io.Reader = bytes.NewReader(body)
	switch strings.ToLower(mt) {
	case ndjson, "application/jsonl":
		o.Format = broker.JSONLines
	case multipartType:
		file, format, err := uploadedFile(body, params["boundary"])
		if err != nil {
			return err
		}
		in, o.Format = file, format
	}
	rep, err := lib.Import(c.ctx, c.p, in, o)
	if err != nil && !(errors.Is(err, broker.ErrInvalid) && rep != nil) {
		return err
	}
	res := ImportResult{Rows: rep.Rows, Created: rep.Created, Merged: rep.Merged, Errors: c.fields(rep.Errors)}
	if res.Created == nil {
		res.Created = []string{}
	}
	if err == nil || len(rep.Errors) == 0 || o.Partial {
		res.Batch = rep.Batch
	}
	for _, d := range rep.Duplicates {
		of := d.Of
		if !strings.HasPrefix(of, "row ") {
			if _, gerr := lib.Get(c.ctx, c.p, of); gerr != nil {
				of = ""
			}
		}
		res.Duplicates = append(res.Duplicates, DuplicateRow{Row: d.Row, Of: of})
	}
	if err != nil {
		// Nothing was written: answer 422 with every bad field of every
		// bad row.
		var fields []broker.FieldError
		fields = append(fields, rep.Errors...)
		if len(fields) == 0 {
			var ve *broker.ValidationError
			if errors.As(err, &ve) {
				fields = ve.Fields
			}
		}
		return fail(http.StatusUnprocessableEntity, "invalid_rows",
			"Some rows are bad, so nothing was imported; each bad field is listed with its row.",
			"部分行未通过校验，因此未导入任何记录；下面按行列出每个问题字段。", fields...)
	}
	return c.reply(http.StatusOK, res)
}

// uploadedFile finds the form's file (the part named "file", or the first
// file part) and its format by its media type or name.
func uploadedFile(body []byte, boundary string) (io.Reader, broker.ImportFormat, error) {
	bad := fail(http.StatusBadRequest, "no_file", "The form holds no file part.", "表单中没有文件。")
	if boundary == "" {
		return nil, 0, bad
	}
	mr := multipart.NewReader(bytes.NewReader(body), boundary)
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			return nil, 0, bad
		}
		if err != nil {
			return nil, 0, fail(http.StatusBadRequest, "malformed_form", "The multipart form is malformed.", "multipart表单格式错误。")
		}
		if part.FormName() != "file" && part.FileName() == "" {
			continue
		}
		data, err := io.ReadAll(part)
		if err != nil {
			return nil, 0, fail(http.StatusBadRequest, "malformed_form", "The multipart form is malformed.", "multipart表单格式错误。")
		}
		format := broker.CSV
		ct, _, _ := mime.ParseMediaType(part.Header.Get("Content-Type"))
		ext := strings.ToLower(path.Ext(part.FileName()))
		if ct == ndjson || ct == "application/jsonl" || ext == ".jsonl" || ext == ".ndjson" {
			format = broker.JSONLines
		}
		return bytes.NewReader(data), format, nil
	}
}
