package matching

import (
	"errors"
	"math"
	"testing"
)

func TestRouter(t *testing.T) {
	train := []Example{
		{"电池 材料", "能源"}, {"电池 电解质", "能源"}, {"光伏 电池", "能源"},
		{"儿童 哮喘", "医学"}, {"新生儿 黄疸", "医学"}, {"儿童 用药", "医学"},
	}
	for _, opts := range []*RouterOptions{nil, {Neighbours: 3}, {Complement: true}, {Binary: true}} {
		r, err := TrainRouter(train, opts)
		if err != nil {
			t.Fatal(err)
		}
		tests := []struct{ text, want string }{{"电池", "能源"}, {"儿童", "医学"}}
		for _, tt := range tests {
			got := r.Route(tt.text)
			if got.Label != tt.want {
				t.Errorf("%+v: Route(%q) = %s, want %s", opts, tt.text, got.Label, tt.want)
			}
			sum := 0.0
			for i, s := range got.Scores {
				sum += s.Score
				if i > 0 && s.Score > got.Scores[i-1].Score {
					t.Errorf("scores not sorted: %+v", got.Scores)
				}
			}
			if math.Abs(sum-1) > 1e-9 || got.Confidence != got.Scores[0].Score {
				t.Errorf("scores %+v sum to %v with confidence %v, want 1 and the top score", got.Scores, sum, got.Confidence)
			}
		}
	}
	r, _ := TrainRouter(train, &RouterOptions{Threshold: 0.99})
	if got := r.Route("城市"); !got.NeedsPerson {
		t.Errorf("Route of an unknown text: %+v, want NeedsPerson", got)
	}
}

func TestRouterErrors(t *testing.T) {
	one := []Example{{"a", "x"}}
	two := []Example{{"a", "x"}, {"b", "y"}}
	tests := []struct {
		name string
		ex   []Example
		opts *RouterOptions
	}{
		{"one label", one, nil},
		{"no label", []Example{{"a", ""}}, nil},
		{"alpha", two, &RouterOptions{Alpha: -1}},
		{"neighbours", two, &RouterOptions{Neighbours: -1}},
		{"weight", two, &RouterOptions{NeighbourWeight: 2}},
		{"threshold", two, &RouterOptions{Threshold: 1.5}},
	}
	for _, tt := range tests {
		if _, err := TrainRouter(tt.ex, tt.opts); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: got %v, want ErrInvalid", tt.name, err)
		}
	}
}
