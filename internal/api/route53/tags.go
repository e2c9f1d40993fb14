package route53

import (
	"encoding/xml"
	"errors"
	"net/http"

	"github.com/vedette-dns/vedette/internal/catalog"
	"github.com/vedette-dns/vedette/internal/model"
)

// Tag limits (reference §10).
const (
	maxTagsPerResource = 50
	maxTagsPerRequest  = 10
	maxTagKey          = 128
	maxTagValue        = 256
)

type xmlTag struct {
	Key   string `xml:"Key"`
	Value string `xml:"Value"`
}

type xmlResourceTagSet struct {
	ResourceType string   `xml:"ResourceType"`
	ResourceID   string   `xml:"ResourceId"`
	Tags         []xmlTag `xml:"Tags>Tag"`
}

func resourceType(r *http.Request) (string, error) {
	t := r.PathValue("type")
	if t != "healthcheck" && t != "hostedzone" {
		return "", invalidInput("Invalid parameter : ResourceType '%s' is not one of healthcheck, hostedzone", t)
	}
	return t, nil
}

func tagsError(typ, id string, err error) error {
	if errors.Is(err, catalog.ErrNoSuchResource) {
		if typ == "healthcheck" {
			return noSuchHealthCheck(id)
		}
		return noSuchZone(id)
	}
	return err
}

func (a *API) tagSet(r *http.Request, typ, id string) (xmlResourceTagSet, error) {
	tags, err := a.opts.Catalog.Tags(r.Context(), typ, id)
	if err != nil {
		return xmlResourceTagSet{}, tagsError(typ, id, err)
	}
	set := xmlResourceTagSet{ResourceType: typ, ResourceID: id, Tags: []xmlTag{}}
	for _, t := range tags {
		set.Tags = append(set.Tags, xmlTag(t))
	}
	return set, nil
}

func (a *API) listTagsForResource(w http.ResponseWriter, r *http.Request) error {
	typ, err := resourceType(r)
	if err != nil {
		return err
	}
	set, err := a.tagSet(r, typ, bareID(r.PathValue("id")))
	if err != nil {
		return err
	}
	writeXML(w, http.StatusOK, struct {
		XMLName xml.Name          `xml:"https://route53.amazonaws.com/doc/2013-04-01/ ListTagsForResourceResponse"`
		Set     xmlResourceTagSet `xml:"ResourceTagSet"`
	}{Set: set})
	return nil
}

func (a *API) listTagsForResources(w http.ResponseWriter, r *http.Request) error {
	typ, err := resourceType(r)
	if err != nil {
		return err
	}
	var req struct {
		IDs []string `xml:"ResourceIds>ResourceId"`
	}
	if err := decode(r, &req); err != nil {
		return err
	}
	if len(req.IDs) < 1 || len(req.IDs) > maxTagsPerRequest {
		return invalidInput("Invalid parameter : ResourceIds must list 1 to %d ids", maxTagsPerRequest)
	}
	resp := struct {
		XMLName xml.Name            `xml:"https://route53.amazonaws.com/doc/2013-04-01/ ListTagsForResourcesResponse"`
		Sets    []xmlResourceTagSet `xml:"ResourceTagSets>ResourceTagSet"`
	}{}
	for _, id := range req.IDs {
		set, err := a.tagSet(r, typ, bareID(id))
		if err != nil {
			return err
		}
		resp.Sets = append(resp.Sets, set)
	}
	writeXML(w, http.StatusOK, resp)
	return nil
}

func (a *API) changeTagsForResource(w http.ResponseWriter, r *http.Request) error {
	typ, err := resourceType(r)
	if err != nil {
		return err
	}
	var req struct {
		Add    []xmlTag `xml:"AddTags>Tag"`
		Remove []string `xml:"RemoveTagKeys>Key"`
	}
	if err := decode(r, &req); err != nil {
		return err
	}
	if len(req.Add) > maxTagsPerRequest || len(req.Remove) > maxTagsPerRequest {
		return invalidInput("Invalid parameter : at most %d tags may be added and %d removed in one request", maxTagsPerRequest, maxTagsPerRequest)
	}
	add := make([]model.Tag, 0, len(req.Add))
	for _, t := range req.Add {
		if t.Key == "" || len(t.Key) > maxTagKey || len(t.Value) > maxTagValue {
			return invalidInput("Invalid parameter : tag keys must be 1 to %d characters and values at most %d", maxTagKey, maxTagValue)
		}
		add = append(add, model.Tag(t))
	}
	id := bareID(r.PathValue("id"))
	err = a.opts.Catalog.ChangeTags(r.Context(), typ, id, add, req.Remove, func(tags []model.Tag) error {
		if len(tags) > maxTagsPerResource {
			return invalidInput("Invalid parameter : a resource may have at most %d tags", maxTagsPerResource)
		}
		return nil
	})
	if err != nil {
		return tagsError(typ, id, err)
	}
	writeXML(w, http.StatusOK, struct {
		XMLName xml.Name `xml:"https://route53.amazonaws.com/doc/2013-04-01/ ChangeTagsForResourceResponse"`
	}{})
	return nil
}
