//! Generated bodies: gzip bombs (hand-written deflate, no compression crate)
//! and large HTML pages.
//!
//! The gzip bomb is one fixed-Huffman deflate block: a literal `a`, then
//! back-references of length 258 at distance 1 (13 bits each, about 1:160),
//! then literals for the rest. The CRC-32 of the inflated data is computed
//! for one MiB and combined (zlib's `crc32_combine`), so 50 MiB cost no
//! 50 MiB pass.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock, PoisonError};

use axum::body::Bytes;

const MIB: u64 = 1024 * 1024;
const CRC_POLY: u32 = 0xEDB8_8320;

/// A gzip member that inflates to `mb` MiB of `a`.
pub(crate) fn gzip_bomb(mb: u32) -> Bytes {
    let total = u64::from(mb) * MIB;
    let mut out = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff];
    out.extend_from_slice(&deflate_repeated(b'a', total));
    out.extend_from_slice(&crc32_repeated(b'a', total).to_le_bytes());
    out.extend_from_slice(&((total & 0xFFFF_FFFF) as u32).to_le_bytes());
    Bytes::from(out)
}

/// An HTML page of exactly `mb` MiB. One buffer per size is built on first
/// use and shared by all requests (and servers) of the process.
pub(crate) fn big_html(mb: u32) -> Bytes {
    static CACHE: OnceLock<Mutex<HashMap<u32, Bytes>>> = OnceLock::new();
    let cache = CACHE.get_or_init(|| Mutex::new(HashMap::new()));
    let mut guard = cache.lock().unwrap_or_else(PoisonError::into_inner);
    guard.entry(mb).or_insert_with(|| build_html(mb)).clone()
}

fn build_html(mb: u32) -> Bytes {
    let total = (u64::from(mb) * MIB) as usize;
    let head = b"<!doctype html><html lang=\"sv\"><head><meta charset=\"utf-8\"><title>Stor sida</title></head><body>\n";
    let tail = b"</body></html>\n";
    let line = b"<p>Det h\xc3\xa4r \xc3\xa4r en mycket stor sida med utfyllnadstext.</p>\n";
    let mut out = Vec::with_capacity(total);
    out.extend_from_slice(head);
    while out.len() + line.len() + tail.len() <= total {
        out.extend_from_slice(line);
    }
    out.resize(total - tail.len(), b' ');
    out.extend_from_slice(tail);
    Bytes::from(out)
}

/// LSB-first bit writer as deflate wants it.
struct BitWriter {
    out: Vec<u8>,
    acc: u64,
    nbits: u32,
}

impl BitWriter {
    fn bits(&mut self, value: u32, n: u32) {
        self.acc |= u64::from(value) << self.nbits;
        self.nbits += n;
        while self.nbits >= 8 {
            self.out.push((self.acc & 0xff) as u8);
            self.acc >>= 8;
            self.nbits -= 8;
        }
    }

    /// A Huffman code, which deflate stores most significant bit first.
    fn code(&mut self, code: u32, len: u32) {
        let mut rev = 0;
        for i in 0..len {
            rev |= ((code >> i) & 1) << (len - 1 - i);
        }
        self.bits(rev, len);
    }

    fn finish(mut self) -> Vec<u8> {
        if self.nbits > 0 {
            self.out.push((self.acc & 0xff) as u8);
        }
        self.out
    }
}

/// Fixed-Huffman literal code for a byte value.
fn literal(w: &mut BitWriter, b: u8) {
    if b < 144 {
        w.code(0x30 + u32::from(b), 8);
    } else {
        w.code(0x190 + u32::from(b - 144), 9);
    }
}

/// Raw deflate stream of `total` copies of `byte`.
fn deflate_repeated(byte: u8, total: u64) -> Vec<u8> {
    let mut w = BitWriter {
        out: Vec::with_capacity((total / 150) as usize + 16),
        acc: 0,
        nbits: 0,
    };
    w.bits(1, 1); // BFINAL
    w.bits(1, 2); // BTYPE = fixed Huffman
    let mut left = total;
    if left > 0 {
        literal(&mut w, byte);
        left -= 1;
    }
    while left >= 258 {
        w.code(0xC5, 8); // length code 285 = 258 bytes
        w.code(0, 5); // distance code 0 = distance 1
        left -= 258;
    }
    for _ in 0..left {
        literal(&mut w, byte);
    }
    w.code(0, 7); // end of block (256)
    w.finish()
}

fn crc32_update(mut crc: u32, data: impl IntoIterator<Item = u8>) -> u32 {
    crc = !crc;
    for b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ CRC_POLY
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

fn gf2_times(mat: &[u32; 32], mut vec: u32) -> u32 {
    let mut sum = 0;
    let mut i = 0;
    while vec != 0 {
        if vec & 1 == 1 {
            sum ^= mat[i];
        }
        vec >>= 1;
        i += 1;
    }
    sum
}

fn gf2_square(mat: &[u32; 32]) -> [u32; 32] {
    let mut sq = [0; 32];
    for (n, slot) in sq.iter_mut().enumerate() {
        *slot = gf2_times(mat, mat[n]);
    }
    sq
}

/// CRC of `A || B` from `crc(A)`, `crc(B)` and `len(B)` (zlib's algorithm).
fn crc32_combine(mut crc1: u32, crc2: u32, mut len2: u64) -> u32 {
    if len2 == 0 {
        return crc1;
    }
    let mut odd = [0u32; 32];
    odd[0] = CRC_POLY;
    for (n, slot) in odd.iter_mut().enumerate().skip(1) {
        *slot = 1 << (n - 1);
    }
    let mut even = gf2_square(&odd);
    odd = gf2_square(&even);
    loop {
        even = gf2_square(&odd);
        if len2 & 1 == 1 {
            crc1 = gf2_times(&even, crc1);
        }
        len2 >>= 1;
        if len2 == 0 {
            break;
        }
        odd = gf2_square(&even);
        if len2 & 1 == 1 {
            crc1 = gf2_times(&odd, crc1);
        }
        len2 >>= 1;
        if len2 == 0 {
            break;
        }
    }
    crc1 ^ crc2
}

/// CRC-32 of `total` copies of `byte`.
fn crc32_repeated(byte: u8, total: u64) -> u32 {
    let chunk = total.min(MIB);
    let chunk_crc = crc32_update(0, std::iter::repeat_n(byte, chunk as usize));
    let mut crc = 0;
    let mut done = 0;
    while done + chunk <= total && chunk > 0 {
        crc = crc32_combine(crc, chunk_crc, chunk);
        done += chunk;
    }
    let rest = total - done;
    let rest_crc = crc32_update(0, std::iter::repeat_n(byte, rest as usize));
    crc32_combine(crc, rest_crc, rest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc_matches_direct_computation() {
        assert_eq!(crc32_update(0, *b"123456789"), 0xCBF4_3926);
        for n in [0u64, 1, 257, 1000, MIB + 3] {
            let direct = crc32_update(0, std::iter::repeat_n(b'a', n as usize));
            assert_eq!(crc32_repeated(b'a', n), direct, "n = {n}");
        }
    }

    #[test]
    fn bomb_is_small_and_well_formed() {
        let bomb = gzip_bomb(2);
        assert!(bomb.len() < 20_000, "{}", bomb.len());
        assert_eq!(&bomb[..3], &[0x1f, 0x8b, 8]);
        let isize = u32::from_le_bytes(bomb[bomb.len() - 4..].try_into().unwrap_or([0; 4]));
        assert_eq!(u64::from(isize), 2 * MIB);
        let started = std::time::Instant::now();
        assert!(gzip_bomb(50).len() < 400_000);
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
    }

    #[test]
    fn big_html_has_exact_size() {
        let page = big_html(1);
        assert_eq!(page.len() as u64, MIB);
        assert!(page.ends_with(b"</html>\n"));
        assert!(std::str::from_utf8(&page).is_ok());
    }
}
