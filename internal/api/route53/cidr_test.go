package route53_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	r53 "github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/aws/aws-sdk-go-v2/service/route53/types"
)

func TestCidrCollections(t *testing.T) {
	h := newHarness(t)
	c := h.client(testKeyID, testSecret)
	ctx := context.Background()
	out, err := c.CreateCidrCollection(ctx, &r53.CreateCidrCollectionInput{Name: aws.String("offices"), CallerReference: aws.String("r1")})
	if err != nil {
		t.Fatal(err)
	}
	id := out.Collection.Id
	if aws.ToInt64(out.Collection.Version) != 1 || aws.ToString(out.Collection.Arn) == "" {
		t.Fatalf("created %+v", out.Collection)
	}
	if _, err := c.CreateCidrCollection(ctx, &r53.CreateCidrCollectionInput{Name: aws.String("offices"), CallerReference: aws.String("r2")}); apiCode(err) != "CidrCollectionAlreadyExistsException" {
		t.Fatalf("same name, other reference: %v", err)
	}
	_, err = c.ChangeCidrCollection(ctx, &r53.ChangeCidrCollectionInput{Id: id, CollectionVersion: aws.Int64(1), Changes: []types.CidrCollectionChange{
		{LocationName: aws.String("paris"), Action: types.CidrCollectionChangeActionPut, CidrList: []string{"192.0.2.0/24", "2001:db8::/32"}},
		{LocationName: aws.String("lyon"), Action: types.CidrCollectionChangeActionPut, CidrList: []string{"198.51.100.7/24"}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.ChangeCidrCollection(ctx, &r53.ChangeCidrCollectionInput{Id: id, CollectionVersion: aws.Int64(1), Changes: []types.CidrCollectionChange{
		{LocationName: aws.String("x"), Action: types.CidrCollectionChangeActionPut, CidrList: []string{"203.0.113.0/24"}}}}); apiCode(err) != "CidrCollectionVersionMismatchException" || status(err) != 409 {
		t.Fatalf("stale version: %v", err)
	}
	if _, err := c.ChangeCidrCollection(ctx, &r53.ChangeCidrCollectionInput{Id: id, Changes: []types.CidrCollectionChange{
		{LocationName: aws.String("x"), Action: types.CidrCollectionChangeActionPut, CidrList: []string{"203.0.113.9/32"}}}}); apiCode(err) != "InvalidInput" {
		t.Fatalf("/32 block: %v", err)
	}
	locs, err := c.ListCidrLocations(ctx, &r53.ListCidrLocationsInput{CollectionId: id})
	if err != nil || len(locs.CidrLocations) != 2 || aws.ToString(locs.CidrLocations[0].LocationName) != "lyon" {
		t.Fatalf("locations: %v %+v", err, locs)
	}
	var blocks []string
	p := r53.NewListCidrBlocksPaginator(c, &r53.ListCidrBlocksInput{CollectionId: id, MaxResults: aws.Int32(1)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, b := range page.CidrBlocks {
			blocks = append(blocks, aws.ToString(b.LocationName)+"="+aws.ToString(b.CidrBlock))
		}
	}
	if fmt.Sprint(blocks) != "[lyon=198.51.100.0/24 paris=192.0.2.0/24 paris=2001:db8::/32]" {
		t.Fatalf("blocks %v", blocks)
	}
	if _, err := c.ListCidrBlocks(ctx, &r53.ListCidrBlocksInput{CollectionId: id, LocationName: aws.String("nowhere")}); apiCode(err) != "NoSuchCidrLocationException" {
		t.Fatalf("unknown location: %v", err)
	}
	cols, err := c.ListCidrCollections(ctx, &r53.ListCidrCollectionsInput{})
	if err != nil || len(cols.CidrCollections) != 1 || aws.ToInt64(cols.CidrCollections[0].Version) != 2 {
		t.Fatalf("collections: %v %+v", err, cols)
	}
	if _, err := c.DeleteCidrCollection(ctx, &r53.DeleteCidrCollectionInput{Id: id}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.ListCidrLocations(ctx, &r53.ListCidrLocationsInput{CollectionId: id}); apiCode(err) != "NoSuchCidrCollectionException" || status(err) != 404 {
		t.Fatalf("deleted: %v", err)
	}
	for i := range 5 {
		if _, err := c.CreateCidrCollection(ctx, &r53.CreateCidrCollectionInput{Name: aws.String(fmt.Sprintf("c%d", i)), CallerReference: aws.String(fmt.Sprintf("c%d", i))}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.CreateCidrCollection(ctx, &r53.CreateCidrCollectionInput{Name: aws.String("six"), CallerReference: aws.String("six")}); apiCode(err) != "LimitsExceeded" {
		t.Fatalf("sixth collection: %v", err)
	}
}
