package console

import (
	"fmt"
	"html/template"
	"math"
	"strconv"
	"strings"
	"time"
)

// Point is one value of a series at a time.
type Point struct {
	T time.Time
	V float64
}

// Series is one named line of a chart, oldest point first.
type Series struct {
	Name   string
	Points []Point
}

// Marker marks an instant on a chart's time axis (a status change).
type Marker struct {
	T     time.Time
	Label string
}

// Chart describes an SVG chart drawn on the server. The zero values of the
// optional fields are documented with each.
type Chart struct {
	// ID prefixes the element ids of the chart (title, description); it
	// must be unique in the page.
	ID string
	// Title is the chart's accessible name; Desc its text summary.
	Title, Desc string
	// From and To bound the time axis.
	From, To time.Time
	// Step draws a step line (values hold until the next point) with the
	// y axis labelled by YLabels; otherwise straight segments.
	Step bool
	// YMin and YMax bound the y axis; YMax <= YMin means from 0 to a round
	// number above the largest value.
	YMin, YMax float64
	// YLabels names y values (e.g. 1 "Healthy", 0 "Unhealthy"); nil means
	// three numeric ticks with Unit.
	YLabels map[float64]string
	// Unit follows numeric y tick labels ("%", " ms"). Default none.
	Unit string
	// Gap breaks a line where two points are further apart than this.
	// Default: never.
	Gap     time.Duration
	Series  []Series
	Markers []Marker
}

// Chart geometry, in SVG user units.
const (
	chartW, chartH              = 720, 220
	padL, padR, padT, padB      = 90, 16, 14, 34
	plotW, plotH                = chartW - padL - padR, chartH - padT - padB
	chartLegendLine, legendStep = 18, 150
)

// palette pairs a colour (contrast ≥ 4.5:1 on white) with a dash pattern, so
// series differ by more than colour.
var palette = []struct{ colour, dash string }{
	{"#1a56a6", ""}, {"#b3261e", "6 3"}, {"#1b6e35", "2 3"}, {"#6b3fa0", "8 3 2 3"},
	{"#8a4b00", "4 4"}, {"#0b6b73", "10 4"}, {"#5c5c5c", "1 2"}, {"#a3195b", "6 2 2 2"},
}

// SVG renders the chart as an inline SVG element with a title, a
// description and an aria label; all text is escaped.
func (c Chart) SVG() template.HTML {
	var b strings.Builder
	esc := template.HTMLEscapeString
	h := chartH
	if len(c.Series) > 1 {
		h += chartLegendLine * ((len(c.Series) + 3) / 4)
	}
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 %d %d" role="img" aria-labelledby="%s-t %s-d">`, chartW, h, esc(c.ID), esc(c.ID))
	fmt.Fprintf(&b, `<title id="%s-t">%s</title><desc id="%s-d">%s</desc>`, esc(c.ID), esc(c.Title), esc(c.ID), esc(c.Desc))
	lo, hi := c.yRange()
	fmt.Fprintf(&b, `<rect class="plot" x="%d" y="%d" width="%d" height="%d"/>`, padL, padT, plotW, plotH)
	c.yAxis(&b, lo, hi)
	c.xAxis(&b)
	for i, s := range c.Series {
		p := palette[i%len(palette)]
		d := c.path(s.Points, lo, hi)
		if d == "" {
			continue
		}
		dash := ""
		if p.dash != "" {
			dash = fmt.Sprintf(` stroke-dasharray="%s"`, p.dash)
		}
		fmt.Fprintf(&b, `<path class="series" data-series="%s" d="%s" fill="none" stroke="%s" stroke-width="2"%s><title>%s</title></path>`,
			esc(s.Name), d, p.colour, dash, esc(s.Name))
	}
	for _, m := range c.Markers {
		if m.T.Before(c.From) || m.T.After(c.To) {
			continue
		}
		x := c.x(m.T)
		fmt.Fprintf(&b, `<g class="change" data-time="%s"><line x1="%s" y1="%d" x2="%s" y2="%d" stroke="#5c5c5c" stroke-dasharray="3 3"/>`,
			m.T.UTC().Format(time.RFC3339), num(x), padT, num(x), padT+plotH)
		fmt.Fprintf(&b, `<path d="M%s %d l5 -7 h-10 z" fill="#5c5c5c"><title>%s</title></path></g>`, num(x), padT+7, esc(m.Label))
	}
	if len(c.Series) > 1 {
		c.legend(&b)
	}
	if c.empty() {
		fmt.Fprintf(&b, `<text class="nodata" x="%d" y="%d" text-anchor="middle">No data in this range</text>`, padL+plotW/2, padT+plotH/2)
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) //nolint:gosec // every text above is escaped
}

func (c Chart) empty() bool {
	for _, s := range c.Series {
		if len(s.Points) > 0 {
			return false
		}
	}
	return true
}

// yRange returns the y axis bounds.
func (c Chart) yRange() (lo, hi float64) {
	if c.YMax > c.YMin {
		return c.YMin, c.YMax
	}
	max := 0.0
	for _, s := range c.Series {
		for _, p := range s.Points {
			max = math.Max(max, p.V)
		}
	}
	return 0, niceCeil(max)
}

// niceCeil rounds v up to 1, 2 or 5 times a power of ten (at least 1).
func niceCeil(v float64) float64 {
	if v <= 1 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 5, 10} {
		if v <= m*p {
			return m * p
		}
	}
	return 10 * p
}

func (c Chart) x(t time.Time) float64 {
	span := c.To.Sub(c.From)
	if span <= 0 {
		return padL
	}
	f := float64(t.Sub(c.From)) / float64(span)
	return padL + math.Max(0, math.Min(1, f))*plotW
}

func (c Chart) y(v, lo, hi float64) float64 {
	f := (v - lo) / (hi - lo)
	return padT + (1-math.Max(0, math.Min(1, f)))*plotH
}

// path returns the SVG path data of a series, broken at gaps.
func (c Chart) path(pts []Point, lo, hi float64) string {
	var b strings.Builder
	var prev *Point
	for i := range pts {
		p := &pts[i]
		if p.T.Before(c.From) || p.T.After(c.To) {
			continue
		}
		x, y := num(c.x(p.T)), num(c.y(p.V, lo, hi))
		switch {
		case prev == nil || (c.Gap > 0 && p.T.Sub(prev.T) > c.Gap):
			if prev != nil && c.Step { // hold the value before the gap for one Gap
				fmt.Fprintf(&b, "H%s ", num(c.x(prev.T.Add(c.Gap))))
			}
			fmt.Fprintf(&b, "M%s %s", x, y)
		case c.Step:
			fmt.Fprintf(&b, "H%s V%s", x, y)
		default:
			fmt.Fprintf(&b, "L%s %s", x, y)
		}
		b.WriteByte(' ')
		prev = p
	}
	if c.Step && prev != nil { // the last value holds until now or the end
		end := c.To
		if end.Sub(prev.T) > c.Gap && c.Gap > 0 {
			end = prev.T.Add(c.Gap)
		}
		fmt.Fprintf(&b, "H%s", num(c.x(end)))
	}
	return strings.TrimSpace(b.String())
}

func (c Chart) yAxis(b *strings.Builder, lo, hi float64) {
	type tick struct {
		v     float64
		label string
	}
	var ticks []tick
	if c.YLabels != nil {
		for v, l := range c.YLabels {
			ticks = append(ticks, tick{v, l})
		}
	} else {
		for _, f := range []float64{0, 0.5, 1} {
			v := lo + f*(hi-lo)
			ticks = append(ticks, tick{v, strconv.FormatFloat(v, 'f', -1, 64) + c.Unit})
		}
	}
	for _, t := range ticks {
		y := num(c.y(t.v, lo, hi))
		fmt.Fprintf(b, `<line class="grid" x1="%d" y1="%s" x2="%d" y2="%s"/>`, padL, y, padL+plotW, y)
		fmt.Fprintf(b, `<text class="ylabel" x="%d" y="%s" text-anchor="end" dominant-baseline="middle">%s</text>`, padL-6, y, template.HTMLEscapeString(t.label))
	}
}

// xAxis labels the time axis with a round step giving at most 8 ticks.
func (c Chart) xAxis(b *strings.Builder) {
	span := c.To.Sub(c.From)
	if span <= 0 {
		return
	}
	steps := []time.Duration{time.Minute, 5 * time.Minute, 10 * time.Minute, 15 * time.Minute, 30 * time.Minute,
		time.Hour, 2 * time.Hour, 4 * time.Hour, 6 * time.Hour, 12 * time.Hour, 24 * time.Hour, 48 * time.Hour}
	step := steps[len(steps)-1]
	for _, s := range steps {
		if span/s <= 7 {
			step = s
			break
		}
	}
	layout := "15:04"
	if step >= 24*time.Hour {
		layout = "Jan 2"
	}
	for t := c.From.UTC().Truncate(step); !t.After(c.To); t = t.Add(step) {
		if t.Before(c.From) {
			continue
		}
		x := num(c.x(t))
		fmt.Fprintf(b, `<line class="tick" x1="%s" y1="%d" x2="%s" y2="%d"/>`, x, padT+plotH, x, padT+plotH+4)
		fmt.Fprintf(b, `<text class="xlabel" x="%s" y="%d" text-anchor="middle">%s</text>`, x, padT+plotH+18, t.Format(layout))
	}
}

func (c Chart) legend(b *strings.Builder) {
	for i, s := range c.Series {
		p := palette[i%len(palette)]
		x := padL + (i%4)*legendStep
		y := chartH + (i/4)*chartLegendLine + 4
		dash := ""
		if p.dash != "" {
			dash = fmt.Sprintf(` stroke-dasharray="%s"`, p.dash)
		}
		fmt.Fprintf(b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="%s" stroke-width="2"%s/>`, x, y, x+24, y, p.colour, dash)
		fmt.Fprintf(b, `<text class="legend" x="%d" y="%d" dominant-baseline="middle">%s</text>`, x+30, y, template.HTMLEscapeString(s.Name))
	}
}

// num formats a coordinate with at most one decimal.
func num(v float64) string { return strconv.FormatFloat(math.Round(v*10)/10, 'f', -1, 64) }

// summarize describes a series in words: its latest value and its range.
func summarize(s Series, unit string) string {
	if len(s.Points) == 0 {
		return s.Name + ": no data."
	}
	lo, hi, sum := math.Inf(1), math.Inf(-1), 0.0
	for _, p := range s.Points {
		lo, hi, sum = math.Min(lo, p.V), math.Max(hi, p.V), sum+p.V
	}
	f := func(v float64) string { return strconv.FormatFloat(math.Round(v*10)/10, 'f', -1, 64) + unit }
	last := s.Points[len(s.Points)-1]
	return fmt.Sprintf("%s: latest %s at %s; minimum %s, average %s, maximum %s over %d points.",
		s.Name, f(last.V), last.T.UTC().Format("15:04 UTC"), f(lo), f(sum/float64(len(s.Points))), f(hi), len(s.Points))
}
