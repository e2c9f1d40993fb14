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

type xmlCidrCollection struct {
	Arn     string `xml:"Arn"`
	ID      string `xml:"Id"`
	Name    string `xml:"Name"`
	Version int64  `xml:"Version"`
}

func cidrXML(cc *model.CidrCollection) xmlCidrCollection {
	return xmlCidrCollection{Arn: "arn:aws:route53:::cidrcollection/" + cc.ID, ID: cc.ID, Name: cc.Name, Version: cc.Version}
}

func cidrError(id string, err error) error {
	var ie *model.InputError
	var le *model.LimitError
	switch {
	case errors.As(err, &ie):
		return invalidInput("%s", ie.Error())
	case errors.As(err, &le):
		return errorf(http.StatusBadRequest, "LimitsExceeded", "%s", le.Msg)
	case errors.Is(err, catalog.ErrNoSuchCidrCollection):
		return errorf(http.StatusNotFound, "NoSuchCidrCollectionException", "The CIDR collection %s does not exist.", id)
	case errors.Is(err, catalog.ErrCidrCollectionExists):
		return errorf(http.StatusBadRequest, "CidrCollectionAlreadyExistsException", "A CIDR collection with this name and a different caller reference already exists in this account.")
	case errors.Is(err, catalog.ErrCidrLimit):
		return errorf(http.StatusBadRequest, "LimitsExceeded", "This account already has %d CIDR collections.", model.MaxCidrCollections)
	case errors.Is(err, catalog.ErrCidrCollectionInUse):
		return errorf(http.StatusBadRequest, "CidrCollectionInUseException", "The CIDR collection %s is in use by resource record sets.", id)
	case errors.Is(err, catalog.ErrVersionMismatch):
		return errorf(http.StatusConflict, "CidrCollectionVersionMismatchException", "The CIDR collection version you provided doesn't match the one in the ListCidrCollections operation.")
	}
	return err
}

func (a *API) createCidrCollection(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		Name            string `xml:"Name"`
		CallerReference string `xml:"CallerReference"`
	}
	if err := decode(r, &req); err != nil {
		return err
	}
	if !model.ValidCollectionName(req.Name) {
		return invalidInput("Invalid parameter : Name must be 1 to 64 characters of 0-9, A-Z, a-z, _ and -")
	}
	if req.CallerReference == "" || len(req.CallerReference) > 64 {
		return invalidInput("Invalid parameter : CallerReference must be 1 to 64 characters")
	}
	cc, created, err := a.opts.Catalog.CreateCidrCollection(r.Context(), model.CidrCollection{
		ID: a.opts.NewUUID(), Name: req.Name, CallerReference: req.CallerReference, Version: 1, Locations: map[string][]string{}})
	if err != nil {
		return cidrError("", err)
	}
	status := http.StatusCreated
	if !created {
		status = http.StatusOK
	}
	w.Header().Set("Location", scheme(r)+"://"+r.Host+prefix+"/cidrcollection/"+cc.ID)
	writeXML(w, status, struct {
		XMLName    xml.Name          `xml:"https://route53.amazonaws.com/doc/2013-04-01/ CreateCidrCollectionResponse"`
		Collection xmlCidrCollection `xml:"Collection"`
	}{Collection: cidrXML(&cc)})
	return nil
}

func (a *API) changeCidrCollection(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	var req struct {
		CollectionVersion *int64 `xml:"CollectionVersion"`
		Changes           []struct {
			LocationName string   `xml:"LocationName"`
			Action       string   `xml:"Action"`
			Cidrs        []string `xml:"CidrList>Cidr"`
		} `xml:"Changes>member"`
	}
	if err := decode(r, &req); err != nil {
		return err
	}
	changes := make([]model.CidrChange, len(req.Changes))
	for i, c := range req.Changes {
		changes[i] = model.CidrChange{LocationName: c.LocationName, Action: c.Action, Cidrs: c.Cidrs}
	}
	var version int64
	if req.CollectionVersion != nil {
		version = *req.CollectionVersion
	}
	if _, err := a.opts.Catalog.ChangeCidrCollection(r.Context(), id, version, changes); err != nil {
		return cidrError(id, err)
	}
	writeXML(w, http.StatusOK, struct {
		XMLName xml.Name `xml:"https://route53.amazonaws.com/doc/2013-04-01/ ChangeCidrCollectionResponse"`
		ID      string   `xml:"Id"`
	}{ID: a.opts.NewID("C")})
	return nil
}

// page returns the items of a sorted key list from the nexttoken on, at
// most maxresults of them, and the next token.
func page(r *http.Request, keys []string) ([]string, string, error) {
	n := 100
	if s := r.URL.Query().Get("maxresults"); s != "" {
		v, err := strconv.Atoi(s)
		if err != nil || v < 1 {
			return nil, "", invalidInput("Invalid parameter : maxresults must be a positive integer")
		}
		n = v
	}
	token := r.URL.Query().Get("nexttoken")
	start := sort.SearchStrings(keys, token)
	end := min(start+n, len(keys))
	next := ""
	if end < len(keys) {
		next = keys[end]
	}
	return keys[start:end], next, nil
}

func (a *API) listCidrCollections(w http.ResponseWriter, r *http.Request) error {
	all, err := a.opts.Catalog.CidrCollections(r.Context())
	if err != nil {
		return err
	}
	byID := map[string]model.CidrCollection{}
	ids := make([]string, 0, len(all))
	for _, c := range all {
		byID[c.ID] = c
		ids = append(ids, c.ID)
	}
	sort.Strings(ids)
	pageIDs, next, err := page(r, ids)
	if err != nil {
		return err
	}
	resp := struct {
		XMLName     xml.Name            `xml:"https://route53.amazonaws.com/doc/2013-04-01/ ListCidrCollectionsResponse"`
		NextToken   string              `xml:"NextToken,omitempty"`
		Collections []xmlCidrCollection `xml:"CidrCollections>member"`
	}{NextToken: next, Collections: []xmlCidrCollection{}}
	for _, id := range pageIDs {
		cc := byID[id]
		resp.Collections = append(resp.Collections, cidrXML(&cc))
	}
	writeXML(w, http.StatusOK, resp)
	return nil
}

func (a *API) listCidrLocations(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	cc, _, err := a.opts.Catalog.CidrCollection(r.Context(), id)
	if err != nil {
		return cidrError(id, err)
	}
	names := make([]string, 0, len(cc.Locations))
	for n := range cc.Locations {
		names = append(names, n)
	}
	sort.Strings(names)
	pageNames, next, err := page(r, names)
	if err != nil {
		return err
	}
	type loc struct {
		LocationName string `xml:"LocationName"`
	}
	resp := struct {
		XMLName   xml.Name `xml:"https://route53.amazonaws.com/doc/2013-04-01/ ListCidrLocationsResponse"`
		NextToken string   `xml:"NextToken,omitempty"`
		Locations []loc    `xml:"CidrLocations>member"`
	}{NextToken: next, Locations: []loc{}}
	for _, n := range pageNames {
		resp.Locations = append(resp.Locations, loc{n})
	}
	writeXML(w, http.StatusOK, resp)
	return nil
}

func (a *API) listCidrBlocks(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	cc, _, err := a.opts.Catalog.CidrCollection(r.Context(), id)
	if err != nil {
		return cidrError(id, err)
	}
	want := r.URL.Query().Get("location")
	if _, ok := cc.Locations[want]; want != "" && !ok {
		return errorf(http.StatusNotFound, "NoSuchCidrLocationException", "The CIDR collection location %s doesn't match any locations in your account.", want)
	}
	var keys []string
	for name, blocks := range cc.Locations {
		if want != "" && name != want {
			continue
		}
		for _, b := range blocks {
			keys = append(keys, name+" "+b)
		}
	}
	sort.Strings(keys)
	pageKeys, next, err := page(r, keys)
	if err != nil {
		return err
	}
	type block struct {
		CidrBlock    string `xml:"CidrBlock"`
		LocationName string `xml:"LocationName"`
	}
	resp := struct {
		XMLName   xml.Name `xml:"https://route53.amazonaws.com/doc/2013-04-01/ ListCidrBlocksResponse"`
		NextToken string   `xml:"NextToken,omitempty"`
		Blocks    []block  `xml:"CidrBlocks>member"`
	}{NextToken: next, Blocks: []block{}}
	for _, k := range pageKeys {
		var b block
		for i := range k {
			if k[i] == ' ' {
				b = block{CidrBlock: k[i+1:], LocationName: k[:i]}
				break
			}
		}
		resp.Blocks = append(resp.Blocks, b)
	}
	writeXML(w, http.StatusOK, resp)
	return nil
}

func (a *API) deleteCidrCollection(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	if err := a.opts.Catalog.DeleteCidrCollection(r.Context(), id); err != nil {
		return cidrError(id, err)
	}
	writeXML(w, http.StatusOK, struct {
		XMLName xml.Name `xml:"https://route53.amazonaws.com/doc/2013-04-01/ DeleteCidrCollectionResponse"`
	}{})
	return nil
}
