package broker

// Expert is a record of the expert library (专家库 / 专家智库).
//
// Contact holds personal data. The System returns it only to the expert
// themself and to platform admins; everyone else gets the record with
// Contact cleared.
type Expert struct {
	Meta
	Name          string   `json:"name" validate:"required,max=64"`
	Institution   string   `json:"institution,omitempty" validate:"max=200" org:"name"`
	InstitutionID string   `json:"institution_id,omitempty" validate:"max=64" org:"id"`
	Title         string   `json:"title,omitempty" validate:"max=64"` // 职称, e.g. 教授, 主任医师
	Grade         string   `json:"grade,omitempty" validate:"max=32"` // e.g. 正高级, 副高级
	Disciplines   []string `json:"disciplines,omitempty" validate:"max=20,dive,max=32"`
	Keywords      []string `json:"keywords,omitempty" validate:"max=100,dive,max=100"`
	// Works are past papers, patents and projects, used for affinity and
	// co-author conflicts.
	Works []Work `json:"works,omitempty" validate:"max=500,dive"`
	// Societies are IDs or names of academic societies the expert belongs to.
	Societies []string `json:"societies,omitempty" validate:"max=20,dive,max=64"`
	// Qualifications, e.g. "科技成果评价", "资产评估师".
	Qualifications []string `json:"qualifications,omitempty" validate:"max=20,dive,max=100"`
	// Conflicts are declared conflicts of interest.
	Conflicts []Conflict `json:"conflicts,omitempty" validate:"max=100,dive"`
	// MaxLoad is the most items the expert reviews at once; 0 means the
	// platform default.
	MaxLoad int     `json:"max_load,omitempty" validate:"min=0,max=1000"`
	City    string  `json:"city,omitempty" validate:"max=64"`
	Contact Contact `json:"contact"`
}

// Work is one of an expert's past works.
type Work struct {
	Title     string   `json:"title" validate:"required,max=300"`
	Year      int      `json:"year,omitempty" validate:"omitempty,min=1900,max=2200"`
	Kind      string   `json:"kind,omitempty" validate:"omitempty,oneof=paper patent project book standard other"`
	Coauthors []string `json:"coauthors,omitempty" validate:"max=100,dive,max=64"`
}

// Conflict is a declared conflict of interest with a party (an institution,
// an enterprise or a person).
type Conflict struct {
	Party  string `json:"party" validate:"required,max=200" org:"-"`
	Reason string `json:"reason,omitempty" validate:"max=500"`
}

// Contact is personal data (个人信息): protected on read.
type Contact struct {
	Phone  string `json:"phone,omitempty" validate:"max=32"`
	Email  string `json:"email,omitempty" validate:"omitempty,email,max=254"`
	WeChat string `json:"wechat,omitempty" validate:"max=64"`
}

func (Expert) RecordKind() Kind   { return KindExpert }
func (e Expert) DedupKey() string { return dedupKey(e.Name, e.Institution) }

// AccessClass: an expert's record is a person's own (ClassPerson).
func (Expert) AccessClass() Class { return ClassPerson }

// Redacted clears Contact, personal data that only the expert and platform
// admins see.
func (e Expert) Redacted() Expert { e.Contact = Contact{}; return e }

// Unredacted returns e with the stored contact data.
func (e Expert) Unredacted(stored Expert) Expert { e.Contact = stored.Contact; return e }

func (e Expert) Normalized() Expert {
	e.Meta.normalize()
	e.Name = normText(e.Name)
	e.Institution = normText(e.Institution)
	e.InstitutionID = normText(e.InstitutionID)
	e.Title = normText(e.Title)
	e.Grade = normText(e.Grade)
	e.Disciplines = normCodes(e.Disciplines)
	e.Keywords = normList(e.Keywords)
	if e.Works != nil {
		ws := make([]Work, len(e.Works))
		for i, w := range e.Works {
			w.Title = normText(w.Title)
			w.Kind = lowerASCII(normText(w.Kind))
			w.Coauthors = normList(w.Coauthors)
			ws[i] = w
		}
		e.Works = ws
	}
	e.Societies = normList(e.Societies)
	e.Qualifications = normList(e.Qualifications)
	if e.Conflicts != nil {
		cs := make([]Conflict, len(e.Conflicts))
		for i, x := range e.Conflicts {
			cs[i] = Conflict{Party: normText(x.Party), Reason: normText(x.Reason)}
		}
		e.Conflicts = cs
	}
	e.City = normText(e.City)
	e.Contact = Contact{
		Phone:  normText(e.Contact.Phone),
		Email:  lowerASCII(normText(e.Contact.Email)),
		WeChat: normText(e.Contact.WeChat),
	}
	return e
}

func (e Expert) Validate(c *Check) {
	c.Disciplines("disciplines", e.Disciplines)
}
