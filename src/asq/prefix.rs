//! Prefix sums that make the cost of one interval between two levels an O(1) computation.

/// One candidate level with the weighted moments of every point up to and including it.
///
/// The four numbers sit together so that a cost lookup touches one cache line per endpoint.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Node {
    /// The candidate level, shifted by [`Prefix::shift`].
    pub x: f64,
    /// Σ w over points up to this node.
    pub q0: f64,
    /// Σ w·x over points up to this node (shifted x).
    pub q1: f64,
    /// Σ w·x² over points up to this node (shifted x).
    pub q2: f64,
}

/// Candidate levels with prefix moments: the cost of stochastically rounding every point
/// between two candidate levels is `Σ w (b − x)(x − a)`, evaluated in O(1).
#[derive(Debug, Clone)]
pub(crate) struct Prefix {
    /// The nodes in increasing order of `x`.
    pub nodes: Vec<Node>,
}

impl Prefix {
    /// Nodes at the sorted values `xs` (weights `ws`, or 1 each), each its own candidate.
    /// Values are shifted to their mean first: the cost formula cancels large terms, and
    /// smaller magnitudes lose less to rounding.
    pub fn from_points(xs: &[f64], ws: Option<&[f64]>) -> Self {
        let shift = if xs.is_empty() {
            0.0
        } else {
            xs.iter().sum::<f64>() / xs.len() as f64
        };
        let mut nodes = Vec::with_capacity(xs.len());
        let (mut q0, mut q1, mut q2) = (0.0, 0.0, 0.0);
        for (i, &v) in xs.iter().enumerate() {
            let x = v - shift;
            let w = ws.map_or(1.0, |w| w[i]);
            q0 += w;
            q1 += w * x;
            q2 += w * x * x;
            nodes.push(Node { x, q0, q1, q2 });
        }
        Prefix { nodes }
    }

    /// Nodes at the distinct values of sorted `x`, equal values merged into one node whose
    /// weight is their summed weight (in input order; 1 each without weights). The same nodes,
    /// to the last bit, as [`Prefix::from_points`] on the compressed values, without copying
    /// them; [`distinct_at`] maps node indices back to values.
    pub fn from_sorted(x: &[f64], w: Option<&[f64]>) -> Self {
        let (count, nodes) = sorted_nodes(x, w);
        let mut out = Vec::with_capacity(count);
        out.extend(nodes.map(|(_, n)| n));
        Prefix { nodes: out }
    }

    /// Number of candidate levels.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// Cost of the points in (node j, node i] with levels at nodes j < i (the point at node i
    /// contributes zero in exact arithmetic).
    #[inline(always)]
    pub fn cost(&self, j: usize, i: usize) -> f64 {
        cost_between(&self.nodes[j], &self.nodes[i])
    }

    /// For unit weights on raw sorted points (duplicates allowed): the index of the best
    /// single middle level between nodes k < j. The cost is convex and piecewise linear in the
    /// middle level, with slope `Σ(x − a) − R·(c − a)` where R counts the points to its right,
    /// so the minimiser is the point where R crosses ρ = Σ(x − a)/(c − a): index ⌊j + 1 − ρ'⌋
    /// with ρ' the same sum taken over (k, j].
    #[inline(always)]
    pub fn middle(&self, k: usize, j: usize) -> usize {
        let a = &self.nodes[k];
        let c = &self.nodes[j];
        let width = c.x - a.x;
        if j <= k + 1 || width <= 0.0 {
            return k;
        }
        let rho = ((c.q1 - a.q1) - (j - k) as f64 * a.x) / width;
        let b = (j as f64 + 1.0 - rho).floor();
        // Rounding can push the estimate one step outside the interval.
        (b.max(k as f64) as usize).min(j)
    }

    /// Cost of (node k, node j] with levels at k, j and the best middle level between them.
    #[inline(always)]
    pub fn cost2(&self, k: usize, j: usize) -> f64 {
        let b = self.middle(k, j);
        self.cost(k, b) + self.cost(b, j)
    }
}

/// Cost of the points in (a, b] with levels at nodes a < b: `Σ w (b − x)(x − a)` from the
/// prefix moments (the formula of [`Prefix::cost`], shared so that streaming callers get the
/// same bits).
#[inline(always)]
pub(crate) fn cost_between(a: &Node, b: &Node) -> f64 {
    (a.x + b.x) * (b.q1 - a.q1) - (b.q2 - a.q2) - a.x * b.x * (b.q0 - a.q0)
}

/// The nodes of [`Prefix::from_sorted`] one at a time, without storing them: the number of
/// distinct values (one vectorised pass over `x`) and an iterator over `(index in x of the
/// run's first value, node)`.
pub(crate) fn sorted_nodes<'a>(
    x: &'a [f64],
    w: Option<&'a [f64]>,
) -> (usize, impl Iterator<Item = (usize, Node)> + 'a) {
    let count = if x.is_empty() {
        0
    } else {
        1 + x.windows(2).filter(|p| p[0] != p[1]).count()
    };
    (count, nodes_from(x, w, node_shift(x)))
}

/// The shift of the nodes of sorted `x`: its middle value (0 when empty). Any value inside the
/// range cancels the large terms of the cost formula; the middle one keeps the moments small
/// for skewed data, and, unlike a mean, costs no pass over `x`.
pub(crate) fn node_shift(x: &[f64]) -> f64 {
    x.get(x.len() / 2).copied().unwrap_or(0.0)
}

/// The nodes of sorted `x` shifted by `shift` ([`node_shift`]), one at a time.
pub(crate) fn nodes_from<'a>(x: &'a [f64], w: Option<&'a [f64]>, shift: f64) -> NodeStream<'a> {
    NodeStream {
        x,
        w,
        shift,
        i: 0,
        q0: 0.0,
        q1: 0.0,
        q2: 0.0,
    }
}

/// The node stream of [`nodes_from`]: one node per run of equal values, with the running
/// moments (a small `Copy` state, so a tight loop can keep it in registers).
#[derive(Debug, Clone, Copy)]
pub(crate) struct NodeStream<'a> {
    x: &'a [f64],
    w: Option<&'a [f64]>,
    shift: f64,
    /// Index in `x` of the next run's first value.
    i: usize,
    q0: f64,
    q1: f64,
    q2: f64,
}

impl Iterator for NodeStream<'_> {
    type Item = (usize, Node);

    /// `(index in x of the run's first value, node)`.
    #[inline(always)]
    fn next(&mut self) -> Option<(usize, Node)> {
        let x = self.x;
        let start = self.i;
        if start >= x.len() {
            return None;
        }
        let mut end = start + 1;
        while end < x.len() && x[end] == x[start] {
            end += 1;
        }
        self.i = end;
        let v = x[start] - self.shift;
        let wv = match self.w {
            None => (start + 1..end).fold(1.0, |a, _| a + 1.0),
            Some(w) => w[start + 1..end].iter().fold(w[start], |a, b| a + b),
        };
        self.q0 += wv;
        self.q1 += wv * v;
        self.q2 += wv * v * v;
        Some((
            start,
            Node {
                x: v,
                q0: self.q0,
                q1: self.q1,
                q2: self.q2,
            },
        ))
    }
}

/// The runs of equal values of sorted `x`, as half-open index ranges `(start, end)`.
pub(crate) fn runs(x: &[f64]) -> impl Iterator<Item = (usize, usize)> + '_ {
    let mut i = 0;
    std::iter::from_fn(move || {
        if i >= x.len() {
            return None;
        }
        let start = i;
        i += 1;
        while i < x.len() && x[i] == x[start] {
            i += 1;
        }
        Some((start, i))
    })
}

/// The values of sorted `x` at increasing distinct-value indices `idx` (the first value of
/// each run, as [`super::compress`] keeps it).
pub(crate) fn distinct_at(x: &[f64], idx: &[usize]) -> Vec<f64> {
    let mut out = Vec::with_capacity(idx.len());
    let mut want = idx.iter().peekable();
    for (k, (i, _)) in runs(x).enumerate() {
        while want.peek() == Some(&&k) {
            out.push(x[i]);
            want.next();
        }
        if want.peek().is_none() {
            break;
        }
    }
    out
}

/// Slots of a [`NodeWindow`].
const WINDOW: usize = 256;

/// How many slots below the requested node a [`NodeWindow`] keeps when it slides, so that a
/// pointer can look back at the node it sits on after its look-ahead made the window move.
const WINDOW_KEEP: usize = 4;

/// The fixed end of the intervals a [`NodeWindow`] prices for each of its nodes.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Pin {
    /// No price.
    None,
    /// `cost_between(pin, node)`: the pin is the lower level.
    Below(Node),
    /// `cost_between(node, pin)`: the pin is the upper level.
    Above(Node),
}

/// A forward-only window of [`WINDOW`] consecutive nodes of a [`NodeStream`], each with its
/// interval cost to a fixed [`Pin`]: a pointer that walks the nodes in increasing order reads
/// them by index, branch-free inside the window, and the window slides (refilled in one tight
/// loop) when the pointer reaches its end. Past the last node the slots repeat the last node,
/// so a look-ahead that the caller masks out may read beyond the end.
pub(crate) struct NodeWindow<'a> {
    src: NodeStream<'a>,
    pin: Pin,
    /// Node index of slot 0.
    first: usize,
    node: Box<[Node; WINDOW]>,
    /// The cost between each slot's node and the pin.
    price: Box<[f64; WINDOW]>,
    /// Index in `x` of each slot's node (the first value of its run).
    at: Box<[usize; WINDOW]>,
    /// The last node read from the stream.
    last: (usize, Node),
}

impl<'a> NodeWindow<'a> {
    /// The window over the first nodes of `src`, priced against `pin`.
    pub fn new(src: NodeStream<'a>, pin: Pin) -> Self {
        let mut w = NodeWindow {
            src,
            pin,
            first: 0,
            node: Box::new([Node::default(); WINDOW]),
            price: Box::new([0.0; WINDOW]),
            at: Box::new([0; WINDOW]),
            last: (0, Node::default()),
        };
        w.fill(0);
        w
    }

    /// Node `k`, its index in `x` and its cost to the pin (0 without one). `k` must not lie
    /// below the window (pointers only move forward, at most [`WINDOW_KEEP`] back from their
    /// furthest look-ahead).
    #[inline(always)]
    pub fn get(&mut self, k: usize) -> (usize, Node, f64) {
        let mut s = k.wrapping_sub(self.first);
        if s >= WINDOW {
            self.slide(k);
            s = k - self.first;
        }
        (self.at[s], self.node[s], self.price[s])
    }

    /// Moves the window so that it starts [`WINDOW_KEEP`] below `k` (or at its old start).
    #[cold]
    #[inline(never)]
    fn slide(&mut self, k: usize) {
        assert!(k >= self.first, "node window read backwards");
        let keep = k.saturating_sub(WINDOW_KEEP).max(self.first);
        let from = keep - self.first;
        if from < WINDOW {
            self.node.copy_within(from.., 0);
            self.price.copy_within(from.., 0);
            self.at.copy_within(from.., 0);
        } else {
            // Nodes between the old window and `keep` are still accumulated, not stored.
            let mut src = self.src;
            for _ in WINDOW..from {
                if let Some(n) = src.next() {
                    self.last = n;
                }
            }
            self.src = src;
        }
        self.first = keep;
        self.fill(WINDOW.saturating_sub(from));
    }

    /// Fills slots `from..` from the stream, repeating the last node past its end.
    fn fill(&mut self, from: usize) {
        let mut src = self.src;
        let mut last = self.last;
        for s in from..WINDOW {
            if let Some(n) = src.next() {
                last = n;
            }
            (self.at[s], self.node[s]) = last;
        }
        self.src = src;
        self.last = last;
        let (node, price) = (&self.node[from..], &mut self.price[from..]);
        match self.pin {
            Pin::None => {}
            Pin::Below(p) => {
                for (c, n) in price.iter_mut().zip(node) {
                    *c = cost_between(&p, n);
                }
            }
            Pin::Above(p) => {
                for (c, n) in price.iter_mut().zip(node) {
                    *c = cost_between(n, &p);
                }
            }
        }
    }
}
