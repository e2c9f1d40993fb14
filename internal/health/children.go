package health

import (
	"errors"
	"fmt"

	"github.com/vedette-dns/vedette/internal/model"
)

// MaxChildren is the most ChildHealthChecks a CALCULATED check may list (the
// API model's limit; the guide's quota page says 255).
const MaxChildren = 256

// Reasons ValidateChildren refuses a list of children; test with errors.Is.
var (
	ErrTooManyChildren = errors.New("too many child health checks")
	ErrUnknownChild    = errors.New("child health check does not exist")
	ErrCalculatedChild = errors.New("child health check is CALCULATED")
	ErrSelfChild       = errors.New("health check lists itself as a child")
	ErrDuplicateChild  = errors.New("child health check listed twice")
)

// ChildError is a refused child list. Its message is written for Route 53's
// InvalidInput ("Invalid parameter : …"); Unwrap gives the Err* reason.
type ChildError struct {
	Parent string
	Child  string // empty for ErrTooManyChildren
	Count  int    // number of children, for ErrTooManyChildren
	Err    error
}

func (e *ChildError) Error() string {
	var msg string
	switch e.Err {
	case ErrTooManyChildren:
		msg = fmt.Sprintf("A calculated health check can have at most %d child health checks, got %d", MaxChildren, e.Count)
	case ErrUnknownChild:
		msg = fmt.Sprintf("Child health check %s does not exist", e.Child)
	case ErrCalculatedChild:
		msg = fmt.Sprintf("Child health check %s is a calculated health check; a calculated health check cannot have calculated children", e.Child)
	case ErrSelfChild:
		msg = fmt.Sprintf("Health check %s cannot be its own child", e.Child)
	case ErrDuplicateChild:
		msg = fmt.Sprintf("Child health check %s is listed more than once", e.Child)
	default:
		msg = fmt.Sprintf("Child health check %s: %v", e.Child, e.Err)
	}
	return "Invalid parameter : " + msg
}

func (e *ChildError) Unwrap() error { return e.Err }

// ValidateChildren checks parent's ChildHealthChecks against every existing
// health check (all, by id; parent's own entry, if any, is ignored): at most
// MaxChildren, each listed once, none of them parent itself, each existing
// and none CALCULATED. Because a calculated check cannot be a child, no cycle
// can form. The first problem found is returned as a *ChildError.
func ValidateChildren(all map[string]model.HealthCheck, parent model.HealthCheck) error {
	children := parent.Config.ChildHealthChecks
	if len(children) > MaxChildren {
		return &ChildError{Parent: parent.ID, Count: len(children), Err: ErrTooManyChildren}
	}
	seen := make(map[string]bool, len(children))
	for _, id := range children {
		if err := childProblem(all, parent.ID, id, seen[id]); err != nil {
			return &ChildError{Parent: parent.ID, Child: id, Err: err}
		}
		seen[id] = true
	}
	return nil
}

func childProblem(all map[string]model.HealthCheck, parent, id string, seen bool) error {
	if id == parent {
		return ErrSelfChild
	}
	if seen {
		return ErrDuplicateChild
	}
	child, ok := all[id]
	if !ok {
		return ErrUnknownChild
	}
	if child.Config.Type == model.TypeCalculated {
		return ErrCalculatedChild
	}
	return nil
}
