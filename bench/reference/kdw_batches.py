"""kdw's length-bucketed batch order (engine/core/batching.cpp) in Python, number for number.

kdw draws it with std::mt19937_64 and libstdc++'s std::shuffle (GCC 12: two swap positions per
draw, Lemire's nearly divisionless uniform_int_distribution); this copies both, so that a
reference run sees the very batches, and the very padded lengths, that `kdw distill` and
`kdw finetune` train on. Another standard library (libc++, MSVC) would shuffle otherwise.
"""

_M64 = (1 << 64) - 1


class MT19937_64:
    """std::mt19937_64."""

    def __init__(self, seed):
        self.mt = [seed & _M64]
        for i in range(1, 312):
            prev = self.mt[-1]
            self.mt.append((6364136223846793005 * (prev ^ (prev >> 62)) + i) & _M64)
        self.index = 312

    def _twist(self):
        mt, upper, lower = self.mt, _M64 ^ 0x7FFFFFFF, 0x7FFFFFFF
        for i in range(312):
            x = (mt[i] & upper) | (mt[(i + 1) % 312] & lower)
            mt[i] = mt[(i + 156) % 312] ^ (x >> 1) ^ (0xB5026F5AA96619E9 if x & 1 else 0)
        self.index = 0

    def __call__(self):
        if self.index >= 312:
            self._twist()
        y = self.mt[self.index]
        self.index += 1
        y ^= (y >> 29) & 0x5555555555555555
        y ^= (y << 17) & 0x71D67FFFEDA60000
        y ^= (y << 37) & 0xFFF7EEE000000000
        y ^= y >> 43
        return y & _M64


def _uniform_below(g, n):
    """uniform_int_distribution<uint64_t>{0, n - 1}(g) for a 64-bit generator (_S_nd)."""
    product = g() * n
    low = product & _M64
    if low < n:
        threshold = ((1 << 64) - n) % n
        while low < threshold:
            product = g() * n
            low = product & _M64
    return product >> 64


def shuffle(items, g):
    """std::shuffle(items.begin(), items.end(), g) of libstdc++ (in place)."""
    n = len(items)
    if n == 0:
        return
    # n * n fits in 64 bits for any list here: the two-positions-per-draw path.
    assert n < (1 << 32)
    i = 1
    if n % 2 == 0:
        j = _uniform_below(g, 2)
        items[i], items[j] = items[j], items[i]
        i += 1
    while i != n:
        b0 = i + 1
        b1 = b0 + 1
        x = _uniform_below(g, b0 * b1)
        first, second = x // b1, x % b1
        items[i], items[first] = items[first], items[i]
        i += 1
        items[i], items[second] = items[second], items[i]
        i += 1


def bucketed_batches(lengths, batch_size, shuffled, seed, pool_batches=50):
    """kdw::bucketed_batches: lists of sample indices."""
    order = list(range(len(lengths)))
    g = MT19937_64(seed)
    pool = batch_size * max(pool_batches, 1) if shuffled else len(order)
    if shuffled:
        shuffle(order, g)
    batches = []
    for start in range(0, len(order), max(pool, 1)):
        end = min(start + pool, len(order))
        order[start:end] = sorted(order[start:end], key=lambda i: lengths[i])  # stable
        for b in range(start, end, batch_size):
            batches.append(order[b:min(b + batch_size, end)])
    if shuffled:
        shuffle(batches, g)
    return batches
