// Command setup creates the failover benchmark's configuration in a running
// Vedette through its Route 53 API with aws-sdk-go-v2: a hosted zone, one
// HTTP health check per endpoint and a PRIMARY/SECONDARY failover pair of A
// records. It uses the SDK rather than the AWS CLI because the CLI refuses
// RequestInterval below 10 before sending anything, and the benchmark needs 1.
//
// The credentials come from VEDETTE_ROOT_ACCESS_KEY_ID and
// VEDETTE_ROOT_SECRET_ACCESS_KEY. On success it prints shell assignments:
// ZONE_ID, HC_PRIMARY and HC_SECONDARY.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	r53 "github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/aws/aws-sdk-go-v2/service/route53/types"
)

func main() {
	api := flag.String("api", "http://127.0.0.1:8053", "Vedette's API URL")
	zone := flag.String("zone", "fo.bench", "hosted zone to create")
	name := flag.String("name", "app.fo.bench", "name of the failover pair")
	primary := flag.String("primary", "127.0.0.1:8080", "primary endpoint ip:port (also the PRIMARY record's value)")
	secondary := flag.String("secondary", "127.0.0.2:8080", "secondary endpoint ip:port (also the SECONDARY record's value)")
	path := flag.String("path", "/health", "ResourcePath of the HTTP checks")
	interval := flag.Int("interval", 1, "RequestInterval in seconds")
	threshold := flag.Int("threshold", 1, "FailureThreshold")
	ttl := flag.Int64("ttl", 1, "TTL of the failover records")
	flag.Parse()
	if err := run(*api, *zone, *name, *primary, *secondary, *path, *interval, *threshold, *ttl); err != nil {
		fmt.Fprintln(os.Stderr, "setup:", err)
		os.Exit(1)
	}
}

func run(api, zone, name, primary, secondary, path string, interval, threshold int, ttl int64) error {
	id, secret := os.Getenv("VEDETTE_ROOT_ACCESS_KEY_ID"), os.Getenv("VEDETTE_ROOT_SECRET_ACCESS_KEY")
	if id == "" || secret == "" {
		return errors.New("VEDETTE_ROOT_ACCESS_KEY_ID and VEDETTE_ROOT_SECRET_ACCESS_KEY must be set")
	}
	c := r53.New(r53.Options{Region: "us-east-1", BaseEndpoint: aws.String(api),
		Credentials: credentials.NewStaticCredentialsProvider(id, secret, "")})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	ref := strconv.FormatInt(time.Now().UnixNano(), 36)
	check := func(role, hostport string) (string, error) {
		host, port, err := net.SplitHostPort(hostport)
		if err != nil {
			return "", err
		}
		p, err := strconv.Atoi(port)
		if err != nil {
			return "", err
		}
		out, err := c.CreateHealthCheck(ctx, &r53.CreateHealthCheckInput{CallerReference: aws.String(role + "-" + ref), HealthCheckConfig: &types.HealthCheckConfig{
			Type: types.HealthCheckTypeHttp, IPAddress: aws.String(host), Port: aws.Int32(int32(p)), ResourcePath: aws.String(path),
			RequestInterval: aws.Int32(int32(interval)), FailureThreshold: aws.Int32(int32(threshold))}})
		if err != nil {
			return "", fmt.Errorf("create %s health check: %w", role, err)
		}
		return aws.ToString(out.HealthCheck.Id), nil
	}
	hcP, err := check("primary", primary)
	if err != nil {
		return err
	}
	hcS, err := check("secondary", secondary)
	if err != nil {
		return err
	}
	z, err := c.CreateHostedZone(ctx, &r53.CreateHostedZoneInput{Name: aws.String(zone), CallerReference: aws.String("zone-" + ref)})
	if err != nil {
		return fmt.Errorf("create zone: %w", err)
	}
	rec := func(setID string, role types.ResourceRecordSetFailover, hostport, hc string) types.Change {
		ip, _, _ := net.SplitHostPort(hostport)
		return types.Change{Action: types.ChangeActionCreate, ResourceRecordSet: &types.ResourceRecordSet{
			Name: aws.String(name), Type: types.RRTypeA, SetIdentifier: aws.String(setID), Failover: role, TTL: aws.Int64(ttl),
			ResourceRecords: []types.ResourceRecord{{Value: aws.String(ip)}}, HealthCheckId: aws.String(hc)}}
	}
	ch, err := c.ChangeResourceRecordSets(ctx, &r53.ChangeResourceRecordSetsInput{HostedZoneId: z.HostedZone.Id, ChangeBatch: &types.ChangeBatch{
		Changes: []types.Change{rec("primary", types.ResourceRecordSetFailoverPrimary, primary, hcP),
			rec("secondary", types.ResourceRecordSetFailoverSecondary, secondary, hcS)}}})
	if err != nil {
		return fmt.Errorf("create failover records: %w", err)
	}
	for {
		g, err := c.GetChange(ctx, &r53.GetChangeInput{Id: ch.ChangeInfo.Id})
		if err != nil {
			return fmt.Errorf("get change: %w", err)
		}
		if g.ChangeInfo.Status == types.ChangeStatusInsync {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	fmt.Printf("ZONE_ID=%s\nHC_PRIMARY=%s\nHC_SECONDARY=%s\n", aws.ToString(z.HostedZone.Id), hcP, hcS)
	return nil
}
