package model

import (
	"fmt"
	"net/netip"
	"regexp"
	"sort"
)

// CidrCollection is a named set of locations, each a list of CIDR blocks, for
// IP-based routing.
type CidrCollection struct {
	ID              string `json:"id"`
	Name            string `json:"name"`
	CallerReference string `json:"callerReference"`
	Version         int64  `json:"version"`
	// Locations maps a location name to its blocks, kept sorted.
	Locations map[string][]string `json:"locations"`
}

// CIDR collection limits (reference §6.4, §10).
const (
	MaxCidrCollections   = 5
	MaxCidrBlocks        = 1000
	maxCidrV4Bits        = 24
	maxCidrV6Bits        = 48
	CidrActionPut        = "PUT"
	CidrActionDeleteIfEx = "DELETE_IF_EXISTS"
)

var (
	collectionNameRE = regexp.MustCompile(`^[0-9A-Za-z_\-]{1,64}$`)
	locationNameRE   = regexp.MustCompile(`^[0-9A-Za-z_\-]{1,16}$`)
)

// ValidCollectionName reports whether s is a valid CIDR collection name.
func ValidCollectionName(s string) bool { return collectionNameRE.MatchString(s) }

// CidrChange is one change of a ChangeCidrCollection request.
type CidrChange struct {
	LocationName string
	Action       string
	Cidrs        []string
}

// ApplyCidrChanges applies changes to a copy of c's locations, validating
// them (InputError); blocks are stored in canonical, masked form.
func ApplyCidrChanges(c CidrCollection, changes []CidrChange) (map[string][]string, error) {
	if len(changes) == 0 || len(changes) > MaxCidrBlocks {
		return nil, inputErr("Changes must hold 1 to %d changes", MaxCidrBlocks)
	}
	locs := map[string]map[string]bool{}
	for name, blocks := range c.Locations {
		locs[name] = map[string]bool{}
		for _, b := range blocks {
			locs[name][b] = true
		}
	}
	for _, ch := range changes {
		if !locationNameRE.MatchString(ch.LocationName) {
			return nil, inputErr("LocationName '%s' must be 1 to 16 characters of 0-9, A-Z, a-z, _ and -", ch.LocationName)
		}
		if len(ch.Cidrs) == 0 {
			return nil, inputErr("CidrList must hold at least one CIDR block")
		}
		for _, text := range ch.Cidrs {
			block, err := parseBlock(text)
			if err != nil {
				return nil, err
			}
			switch ch.Action {
			case CidrActionPut:
				if locs[ch.LocationName] == nil {
					locs[ch.LocationName] = map[string]bool{}
				}
				locs[ch.LocationName][block] = true
			case CidrActionDeleteIfEx:
				delete(locs[ch.LocationName], block)
			default:
				return nil, inputErr("Action '%s' is not one of PUT, DELETE_IF_EXISTS", ch.Action)
			}
		}
	}
	out := map[string][]string{}
	total := 0
	for name, blocks := range locs {
		for b := range blocks {
			out[name] = append(out[name], b)
		}
		if len(out[name]) == 0 {
			delete(out, name)
			continue
		}
		sort.Strings(out[name])
		total += len(out[name])
	}
	if total > MaxCidrBlocks {
		return nil, &LimitError{Msg: fmt.Sprintf("A CIDR collection may hold at most %d blocks", MaxCidrBlocks)}
	}
	return out, nil
}

// LimitError reports an account or collection limit (LimitsExceeded).
type LimitError struct{ Msg string }

func (e *LimitError) Error() string { return e.Msg }

func parseBlock(text string) (string, error) {
	p, err := netip.ParsePrefix(text)
	if err != nil {
		return "", inputErr("'%s' is not a CIDR block", text)
	}
	max := maxCidrV6Bits
	if p.Addr().Is4() {
		max = maxCidrV4Bits
	}
	if p.Bits() < 1 || p.Bits() > max {
		return "", inputErr("CIDR block '%s' must have a prefix length from /1 to /%d", text, max)
	}
	return p.Masked().String(), nil
}
