// Package cpustat reads the CPU time and memory of processes and of the
// machine from Linux's /proc, for the probe benchmark's measuring windows.
package cpustat

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// ClockTicks is the unit of the times in /proc/<pid>/stat and /proc/stat:
// USER_HZ, 100 on every Linux architecture Go supports.
var ClockTicks int64 = 100

func ticks(n int64) time.Duration { return time.Duration(n) * time.Second / time.Duration(ClockTicks) }

// CPU is a process's CPU time: in user space and in the kernel.
type CPU struct{ User, Sys time.Duration }

// Total is User + Sys.
func (c CPU) Total() time.Duration { return c.User + c.Sys }

// Sub returns c - o.
func (c CPU) Sub(o CPU) CPU { return CPU{User: c.User - o.User, Sys: c.Sys - o.Sys} }

// Self returns the CPU time (all threads) of this process, from getrusage:
// microsecond resolution.
func Self() CPU {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return CPU{}
	}
	return CPU{User: time.Duration(ru.Utime.Nano()), Sys: time.Duration(ru.Stime.Nano())}
}

// Proc returns the CPU time (utime and stime, all threads, children not
// included) of process pid, from /proc/<pid>/stat: clock-tick resolution.
func Proc(pid int) (CPU, error) {
	if pid <= 0 {
		return CPU{}, nil
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return CPU{}, err
	}
	// The command name, field 2, is in parentheses and may hold spaces.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return CPU{}, errors.New("cpustat: malformed /proc/pid/stat")
	}
	f := strings.Fields(string(b[i+1:]))
	// f[0] is field 3 (state): utime is field 14, stime field 15.
	if len(f) < 13 {
		return CPU{}, errors.New("cpustat: short /proc/pid/stat")
	}
	ut, err1 := strconv.ParseInt(f[11], 10, 64)
	st, err2 := strconv.ParseInt(f[12], 10, 64)
	if err := errors.Join(err1, err2); err != nil {
		return CPU{}, err
	}
	return CPU{User: ticks(ut), Sys: ticks(st)}, nil
}

// Machine is the machine's cumulative CPU time by kind, from /proc/stat.
type Machine struct {
	Task    time.Duration // user + nice + system: time in processes
	SoftIRQ time.Duration // softirq + irq
	Steal   time.Duration
	Idle    time.Duration // idle + iowait
}

// ReadMachine reads the first line of /proc/stat.
func ReadMachine() (Machine, error) {
	f, err := os.Open("/proc/stat")
	if err != nil {
		return Machine{}, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	if !sc.Scan() {
		return Machine{}, errors.New("cpustat: empty /proc/stat")
	}
	fs := strings.Fields(sc.Text())
	if len(fs) < 9 || fs[0] != "cpu" {
		return Machine{}, errors.New("cpustat: malformed /proc/stat")
	}
	v := make([]int64, 8)
	for i := range v {
		if v[i], err = strconv.ParseInt(fs[i+1], 10, 64); err != nil {
			return Machine{}, err
		}
	}
	// user nice system idle iowait irq softirq steal
	return Machine{
		Task:    ticks(v[0] + v[1] + v[2]),
		SoftIRQ: ticks(v[5] + v[6]),
		Steal:   ticks(v[7]),
		Idle:    ticks(v[3] + v[4]),
	}, nil
}

// Sub returns m - o.
func (m Machine) Sub(o Machine) Machine {
	return Machine{Task: m.Task - o.Task, SoftIRQ: m.SoftIRQ - o.SoftIRQ, Steal: m.Steal - o.Steal, Idle: m.Idle - o.Idle}
}

// Snapshot is the CPU time of the processes of one measurement and of the
// machine at one moment.
type Snapshot struct {
	Wall    time.Time
	Prober  CPU // the process whose CPU per probe is measured
	Target  CPU // the local target server
	Driver  CPU // the load driver (blackbox runs), 0 otherwise
	Machine Machine
}

// Take reads a snapshot; prober, target and driver are pids, 0 for none or,
// for prober and driver, -1 for this process.
func Take(prober, target, driver int) (Snapshot, error) {
	s := Snapshot{Wall: time.Now()}
	var errs []error
	read := func(pid int) CPU {
		if pid == -1 {
			return Self()
		}
		d, err := Proc(pid)
		errs = append(errs, err)
		return d
	}
	s.Prober = read(prober)
	s.Target = read(target)
	s.Driver = read(driver)
	m, err := ReadMachine()
	s.Machine = m
	errs = append(errs, err)
	return s, errors.Join(errs...)
}

// Window is the difference of two snapshots.
type Window struct {
	Wall                   time.Duration
	Prober, Target, Driver CPU
	Machine                Machine
}

// Since returns the window from s to e.
func Since(s, e Snapshot) Window {
	return Window{
		Wall:    e.Wall.Sub(s.Wall),
		Prober:  e.Prober.Sub(s.Prober),
		Target:  e.Target.Sub(s.Target),
		Driver:  e.Driver.Sub(s.Driver),
		Machine: e.Machine.Sub(s.Machine),
	}
}

// OtherPct is the CPU time spent in processes other than the measured ones
// (prober, target, driver), in percent of one CPU over the window: how much
// the rest of the machine competed with the measurement. It can go a little
// negative: the kernel charges some softirq work to the processes.
func (w Window) OtherPct() float64 {
	if w.Wall <= 0 {
		return 0
	}
	other := w.Machine.Task - w.Prober.Total() - w.Target.Total() - w.Driver.Total()
	return 100 * other.Seconds() / w.Wall.Seconds()
}

// Fields returns the window as key=value fields for a RESULT line.
func (w Window) Fields() string {
	return fmt.Sprintf("wall_s=%.3f prober_cpu_s=%.4f prober_user_s=%.4f prober_sys_s=%.4f target_cpu_s=%.3f driver_cpu_s=%.3f machine_task_s=%.3f machine_softirq_s=%.3f machine_steal_s=%.3f other_pct=%.1f",
		w.Wall.Seconds(), w.Prober.Total().Seconds(), w.Prober.User.Seconds(), w.Prober.Sys.Seconds(), w.Target.Total().Seconds(), w.Driver.Total().Seconds(),
		w.Machine.Task.Seconds(), w.Machine.SoftIRQ.Seconds(), w.Machine.Steal.Seconds(), w.OtherPct())
}

// Status returns the values, in bytes, of the given keys of
// /proc/self/status (VmRSS, VmHWM, …), which the kernel gives in kB.
func Status(keys ...string) (map[string]uint64, error) {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return nil, err
	}
	out := make(map[string]uint64, len(keys))
	for line := range strings.SplitSeq(string(b), "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		for _, want := range keys {
			if k != want {
				continue
			}
			f := strings.Fields(v)
			if len(f) == 0 {
				continue
			}
			n, err := strconv.ParseUint(f[0], 10, 64)
			if err != nil {
				return nil, err
			}
			out[k] = n << 10
		}
	}
	return out, nil
}

// Loopback returns the address of hostport when it is a loopback IP literal
// (127.0.0.0/8 or ::1) with a port, else an error: the benchmark talks to
// loopback only.
func Loopback(hostport string) (netip.AddrPort, error) {
	ap, err := netip.ParseAddrPort(hostport)
	if err != nil {
		return ap, fmt.Errorf("%q is not an IP:port: %w", hostport, err)
	}
	if !ap.Addr().Unmap().IsLoopback() || ap.Port() == 0 {
		return ap, fmt.Errorf("%q is not a loopback address with a port: the benchmark talks to loopback only", hostport)
	}
	return ap, nil
}
