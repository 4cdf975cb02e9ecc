//! Carrying the appliance's trailer in an Authenticode-signed Windows program without breaking
//! its signature (issue 28). A leaf: it imports nothing of the crate.
//!
//! A signature covers the whole file except the checksum, the certificate table's directory
//! entry and the certificate table itself, which is the file's last part. Bytes merely appended
//! after that table make it no longer the last part, and verifiers give up ("signature not at
//! the end of the file"). So the trailer goes inside the table, after the signature blob: the
//! table's directory entry and its one certificate entry grow by the trailer, padded in front to
//! keep the table's 8-byte alignment (the trailer stays the file's last bytes, where the client
//! reads it), and the PE checksum is made right again. The signed bytes are untouched, so the
//! signature verifies as before (`osslsigncode verify`, and Windows unless a computer opts into
//! `EnableCertPaddingCheck`, which refuses anything after the blob). Unsigned programs get the
//! trailer appended as it is.

/// Append `trailer` to `program`, inside its certificate table when it is signed.
pub fn carry(program: &mut Vec<u8>, trailer: &[u8]) {
    match certificate_table(program) {
        Some(table) => {
            let pad = (8 - trailer.len() % 8) % 8;
            let grown = pad + trailer.len();
            let (Ok(grown32), true) = (
                u32::try_from(grown),
                program.len() + grown < u32::MAX as usize,
            ) else {
                program.extend_from_slice(trailer);
                return;
            };
            program.resize(program.len() + pad, 0);
            program.extend_from_slice(trailer);
            put_u32(program, table.entry + 4, table.size + grown32);
            put_u32(program, table.offset, table.length + grown32);
            if get_u32(program, table.checksum) != Some(0) {
                let sum = checksum(program, table.checksum);
                put_u32(program, table.checksum, sum);
            }
        }
        None => program.extend_from_slice(trailer),
    }
}

/// Where a signed program's certificate table is: the file's last part, one entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Table {
    /// The security directory entry (its offset and size follow).
    entry: usize,
    /// The table's file offset.
    offset: usize,
    /// Its size in the directory.
    size: u32,
    /// Its one entry's `dwLength`.
    length: u32,
    /// The optional header's checksum field.
    checksum: usize,
}

fn get_u16(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(b.get(at..at + 2)?.try_into().ok()?))
}

fn get_u32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

fn put_u32(b: &mut [u8], at: usize, value: u32) {
    if let Some(field) = b.get_mut(at..at + 4) {
        field.copy_from_slice(&value.to_le_bytes());
    }
}

/// The certificate table of a PE file whose table ends the file and holds exactly one entry
/// (what signtool and osslsigncode write); `None` for anything else.
fn certificate_table(b: &[u8]) -> Option<Table> {
    if b.get(..2)? != b"MZ" {
        return None;
    }
    let pe = usize::try_from(get_u32(b, 0x3c)?).ok()?;
    if b.get(pe..pe + 4)? != b"PE\0\0" {
        return None;
    }
    let optional = pe + 24;
    let directories = match get_u16(b, optional)? {
        0x10b => optional + 96,  // PE32
        0x20b => optional + 112, // PE32+
        _ => return None,
    };
    let entry = directories + 4 * 8; // IMAGE_DIRECTORY_ENTRY_SECURITY
    let (offset, size) = (get_u32(b, entry)?, get_u32(b, entry + 4)?);
    let offset = usize::try_from(offset).ok()?;
    let length = get_u32(b, offset)?;
    let ends_file = offset.checked_add(usize::try_from(size).ok()?)? == b.len();
    let one_entry = size != 0 && u64::from(length).next_multiple_of(8) == u64::from(size);
    (ends_file && one_entry).then_some(Table {
        entry,
        offset,
        size,
        length,
        checksum: optional + 64,
    })
}

/// The PE checksum of `b`, its checksum field at `field` counted as zero.
fn checksum(b: &[u8], field: usize) -> u32 {
    let mut sum: u64 = 0;
    for (i, pair) in b.chunks(2).enumerate() {
        let at = i * 2;
        let word = if (field..field + 4).contains(&at) {
            0
        } else {
            u64::from(pair[0]) | u64::from(*pair.get(1).unwrap_or(&0)) << 8
        };
        sum += word;
        sum = (sum & 0xffff) + (sum >> 16);
    }
    sum = (sum & 0xffff) + (sum >> 16);
    u32::try_from((sum + b.len() as u64) & 0xffff_ffff).unwrap_or(0)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::{carry, certificate_table, checksum, get_u32};

    /// A minimal PE32+ file: headers, `body` bytes, then a certificate table of one entry
    /// holding `blob`.
    fn signed(body: usize, blob: &[u8]) -> Vec<u8> {
        let mut b = vec![0u8; 0x200 + body];
        b[..2].copy_from_slice(b"MZ");
        b[0x3c..0x40].copy_from_slice(&0x80u32.to_le_bytes());
        b[0x80..0x84].copy_from_slice(b"PE\0\0");
        b[0x98..0x9a].copy_from_slice(&0x20bu16.to_le_bytes());
        let table = b.len();
        let length = 8 + blob.len();
        let size = length.next_multiple_of(8);
        let entry = 0x98 + 112 + 32;
        b[entry..entry + 4].copy_from_slice(&u32::try_from(table).unwrap().to_le_bytes());
        b[entry + 4..entry + 8].copy_from_slice(&u32::try_from(size).unwrap().to_le_bytes());
        b.extend_from_slice(&u32::try_from(length).unwrap().to_le_bytes());
        b.extend_from_slice(&0x0002_0200u32.to_le_bytes()); // revision 2, PKCS#7
        b.extend_from_slice(blob);
        b.resize(table + size, 0);
        b
    }

    #[test]
    fn in_a_signed_program_the_trailer_goes_inside_the_certificate_table_and_stays_last() {
        let mut program = signed(100, b"pkcs7 blob here");
        let before = program.clone();
        let table = certificate_table(&program).unwrap();
        let trailer = b"{\"url\":\"https://support.example\"}TRAILER!";
        carry(&mut program, trailer);
        assert!(
            program.ends_with(trailer),
            "the client reads it from the end"
        );
        let grown = program.len() - before.len();
        assert_eq!(grown % 8, 0, "the table stays 8-byte aligned");
        assert_eq!(
            get_u32(&program, table.entry + 4),
            Some(table.size + u32::try_from(grown).unwrap())
        );
        assert_eq!(
            get_u32(&program, table.offset),
            Some(table.length + u32::try_from(grown).unwrap())
        );
        let again = certificate_table(&program).expect("still one table ending the file");
        assert_eq!(again.offset, table.offset);
        // Everything the signature covers is unchanged.
        let signed_part = |b: &[u8]| {
            let mut v = b[..table.offset].to_vec();
            v[table.entry..table.entry + 8].fill(0);
            v[table.checksum..table.checksum + 4].fill(0);
            v
        };
        assert_eq!(signed_part(&program), signed_part(&before));
        assert_eq!(
            &program[table.offset + 8..table.offset + 8 + 15],
            b"pkcs7 blob here",
            "the signature blob is where it was"
        );
    }

    #[test]
    fn an_unsigned_or_odd_program_gets_the_trailer_appended() {
        for mut program in [b"\x7fELF....".to_vec(), vec![0u8; 300], {
            let mut p = signed(10, b"blob");
            p.push(0); // something after the table: not the last part any more
            p
        }] {
            let before = program.clone();
            carry(&mut program, b"TRAILER");
            assert_eq!(&program[..before.len()], &before[..]);
            assert!(program.ends_with(b"TRAILER"));
            assert_eq!(program.len(), before.len() + 7);
        }
    }

    #[test]
    fn a_checksum_that_was_set_is_made_right_again() {
        let mut program = signed(64, b"blob");
        let field = 0x98 + 64;
        let sum = checksum(&program, field);
        program[field..field + 4].copy_from_slice(&sum.to_le_bytes());
        carry(&mut program, b"TRAILER");
        assert_eq!(get_u32(&program, field), Some(checksum(&program, field)));
    }
}
