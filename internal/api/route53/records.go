package route53

import (
	"encoding/xml"
	"errors"
	"net/http"
	"sort"
	"strconv"

	"github.com/vedette-dns/vedette/internal/catalog"
	"github.com/vedette-dns/vedette/internal/model"
)

const maxRecordsPage = 300

type changeResourceRecordSetsRequest struct {
	ChangeBatch *struct {
		Comment string `xml:"Comment"`
		Changes *struct {
			Changes []struct {
				Action            string    `xml:"Action"`
				ResourceRecordSet *xmlRRSet `xml:"ResourceRecordSet"`
			} `xml:"Change"`
		} `xml:"Changes"`
	} `xml:"ChangeBatch"`
}

func (a *API) changeResourceRecordSets(w http.ResponseWriter, r *http.Request) error {
	var req changeResourceRecordSetsRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	if req.ChangeBatch == nil || req.ChangeBatch.Changes == nil {
		return invalidInput("1 validation error detected: Value null at 'changeBatch' failed to satisfy constraint: Member must not be null")
	}
	batch := model.ChangeBatch{Comment: req.ChangeBatch.Comment}
	for _, c := range req.ChangeBatch.Changes.Changes {
		if c.ResourceRecordSet == nil {
			return invalidInput("1 validation error detected: Value null at 'resourceRecordSet' failed to satisfy constraint: Member must not be null")
		}
		rs := rrsetModel(c.ResourceRecordSet)
		if g := rs.GeoProximityLocation; g != nil && g.LocalZoneGroup != "" {
			if _, ok := a.opts.Locations[g.LocalZoneGroup]; !ok {
				return invalidInput("Invalid parameter : LocalZoneGroup '%s' is not an operator-defined geoproximity location (vedette serve --geoproximity-locations)", g.LocalZoneGroup)
			}
		}
		batch.Changes = append(batch.Changes, model.Change{Action: model.Action(c.Action), RecordSet: rs})
	}
	id := bareID(r.PathValue("id"))
	ch := a.newChange(batch.Comment)
	err := a.opts.Catalog.ApplyChanges(r.Context(), id, &batch, &ch)
	var be *model.BatchError
	switch {
	case errors.Is(err, catalog.ErrNoSuchZone):
		return noSuchZone(id)
	case errors.Is(err, catalog.ErrNoSuchCidrCollection):
		return errorf(http.StatusNotFound, "NoSuchCidrCollectionException", "%v", err)
	case errors.Is(err, catalog.ErrNoSuchCidrLocation):
		return errorf(http.StatusNotFound, "NoSuchCidrLocationException", "%v", err)
	case errors.Is(err, catalog.ErrNoSuchHealthCheck):
		return errorf(http.StatusNotFound, "NoSuchHealthCheck", "%v", err)
	case errors.As(err, &be):
		return errorf(http.StatusBadRequest, be.Code, "%s", be.Error())
	case err != nil:
		return err
	}
	writeXML(w, http.StatusOK, changeResponse("ChangeResourceRecordSets", a.changeXML(&ch)))
	return nil
}

type listResourceRecordSetsResponse struct {
	XMLName              xml.Name   `xml:"https://route53.amazonaws.com/doc/2013-04-01/ ListResourceRecordSetsResponse"`
	ResourceRecordSets   []xmlRRSet `xml:"ResourceRecordSets>ResourceRecordSet"`
	IsTruncated          bool       `xml:"IsTruncated"`
	NextRecordName       string     `xml:"NextRecordName,omitempty"`
	NextRecordType       string     `xml:"NextRecordType,omitempty"`
	NextRecordIdentifier string     `xml:"NextRecordIdentifier,omitempty"`
	MaxItems             string     `xml:"MaxItems"`
}

// listPosition is a record set's place in Route 53's listing order: the API
// form of its name with labels reversed, then type, then set identifier.
type listPosition struct{ name, typ, id string }

func positionOf(r *model.RecordSet) listPosition {
	return listPosition{model.ReverseSortKey(model.APIName(r.Name)), r.Type, r.SetIdentifier}
}

func (p listPosition) less(q listPosition) bool {
	if p.name != q.name {
		return p.name < q.name
	}
	if p.typ != q.typ {
		return p.typ < q.typ
	}
	return p.id < q.id
}

// startPosition parses the name/type/identifier paging parameters.
func startPosition(r *http.Request) (listPosition, error) {
	q := r.URL.Query()
	name, typ, id := q.Get("name"), q.Get("type"), q.Get("identifier")
	if name == "" {
		if typ != "" || id != "" {
			return listPosition{}, invalidInput("Invalid parameter : type or identifier given without name")
		}
		return listPosition{}, nil
	}
	if id != "" && typ == "" {
		return listPosition{}, invalidInput("Invalid parameter : identifier given without type")
	}
	if _, ok := model.SupportedTypes[typ]; typ != "" && !ok {
		return listPosition{}, invalidInput("Invalid parameter : unsupported type %s", typ)
	}
	c, err := model.ParseAPIName(name)
	if err != nil {
		return listPosition{}, invalidInput("Invalid parameter : %s is not a valid name", name)
	}
	return listPosition{model.ReverseSortKey(model.APIName(c)), typ, id}, nil
}

func (a *API) listResourceRecordSets(w http.ResponseWriter, r *http.Request) error {
	z, err := a.zone(r)
	if err != nil {
		return err
	}
	n, err := maxItems(r, maxRecordsPage)
	if err != nil {
		return err
	}
	start, err := startPosition(r)
	if err != nil {
		return err
	}
	recs, err := a.opts.Catalog.Records(r.Context(), z.ID)
	if err != nil {
		return err
	}
	pos := make([]listPosition, len(recs))
	for i := range recs {
		pos[i] = positionOf(&recs[i])
	}
	idx := make([]int, len(recs))
	for i := range idx {
		idx[i] = i
	}
	sort.Slice(idx, func(i, j int) bool { return pos[idx[i]].less(pos[idx[j]]) })
	resp := listResourceRecordSetsResponse{MaxItems: strconv.Itoa(n), ResourceRecordSets: []xmlRRSet{}}
	for _, i := range idx {
		if pos[i].less(start) {
			continue
		}
		if len(resp.ResourceRecordSets) == n {
			resp.IsTruncated = true
			resp.NextRecordName, resp.NextRecordType = model.APIName(recs[i].Name), recs[i].Type
			resp.NextRecordIdentifier = recs[i].SetIdentifier
			break
		}
		resp.ResourceRecordSets = append(resp.ResourceRecordSets, rrsetXML(&recs[i]))
	}
	writeXML(w, http.StatusOK, resp)
	return nil
}
