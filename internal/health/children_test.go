package health_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/vedette-dns/vedette/internal/health"
	"github.com/vedette-dns/vedette/internal/model"
)

func TestValidateChildren(t *testing.T) {
	all := map[string]model.HealthCheck{
		"a": endpoint("a"), "b": endpoint("b"), "r": recovery("r", "arn:r"), "w": cloudwatch("w"),
		"calc": calculated("calc", 1, children("a")),
		"p":    calculated("p", 1, children("a")),
	}
	many := make([]string, health.MaxChildren+1)
	for i := range many {
		id := fmt.Sprintf("e%03d", i)
		many[i], all[id] = id, endpoint(id)
	}
	for _, tc := range []struct {
		name     string
		children []string
		err      error
		msg      string
	}{
		{"endpoint, routing-control and alarm children", []string{"a", "b", "r", "w"}, nil, ""},
		{"no children", nil, nil, ""},
		{"256 children", many[:health.MaxChildren], nil, ""},
		{"257 children", many, health.ErrTooManyChildren,
			"Invalid parameter : A calculated health check can have at most 256 child health checks, got 257"},
		{"unknown child", []string{"a", "nope"}, health.ErrUnknownChild,
			"Invalid parameter : Child health check nope does not exist"},
		{"calculated child", []string{"calc"}, health.ErrCalculatedChild,
			"Invalid parameter : Child health check calc is a calculated health check; a calculated health check cannot have calculated children"},
		{"itself", []string{"a", "p"}, health.ErrSelfChild,
			"Invalid parameter : Health check p cannot be its own child"},
		{"listed twice", []string{"a", "b", "a"}, health.ErrDuplicateChild,
			"Invalid parameter : Child health check a is listed more than once"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := health.ValidateChildren(all, calculated("p", 1, children(tc.children...)))
			if !errors.Is(err, tc.err) || (err == nil) != (tc.err == nil) {
				t.Fatalf("err %v, want %v", err, tc.err)
			}
			if err == nil {
				return
			}
			var ce *health.ChildError
			if !errors.As(err, &ce) || ce.Parent != "p" || err.Error() != tc.msg {
				t.Errorf("err %#v\nmessage %q\nwant    %q", err, err.Error(), tc.msg)
			}
		})
	}
}
