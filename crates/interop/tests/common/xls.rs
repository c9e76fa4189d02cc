//! Small .xls files built byte by byte for tests: an OLE compound file
//! (512-byte sectors, version 3) holding one BIFF8 `Workbook` stream, and
//! the few records a workbook needs. Good files and hostile ones (cells far
//! apart, a string repeated in many cells, a sector chain that loops,
//! formulas that grow) come from the same pieces.

#![allow(dead_code)]

const FREESECT: u32 = 0xFFFF_FFFF;
const ENDOFCHAIN: u32 = 0xFFFF_FFFE;
const FATSECT: u32 = 0xFFFF_FFFD;
const NOSTREAM: u32 = 0xFFFF_FFFF;

/// One BIFF record: type, then its data.
pub fn record(typ: u16, data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(4 + data.len());
    out.extend(typ.to_le_bytes());
    out.extend((data.len() as u16).to_le_bytes());
    out.extend(data);
    out
}

fn bof(kind: u16) -> Vec<u8> {
    let mut d = Vec::new();
    d.extend(0x0600u16.to_le_bytes()); // BIFF8
    d.extend(kind.to_le_bytes()); // 5 workbook globals, 0x10 worksheet
    d.extend(0x0DBBu16.to_le_bytes());
    d.extend(0x07CCu16.to_le_bytes());
    d.extend(0u32.to_le_bytes());
    d.extend(0x0006u32.to_le_bytes());
    record(0x0809, &d)
}

fn eof() -> Vec<u8> {
    record(0x000A, &[])
}

/// A NUMBER cell.
pub fn number(row: u16, col: u16, value: f64) -> Vec<u8> {
    let mut d = Vec::new();
    d.extend(row.to_le_bytes());
    d.extend(col.to_le_bytes());
    d.extend(0u16.to_le_bytes());
    d.extend(value.to_le_bytes());
    record(0x0203, &d)
}

/// A LABELSST cell showing shared string `index`.
pub fn label_sst(row: u16, col: u16, index: u32) -> Vec<u8> {
    let mut d = Vec::new();
    d.extend(row.to_le_bytes());
    d.extend(col.to_le_bytes());
    d.extend(0u16.to_le_bytes());
    d.extend(index.to_le_bytes());
    record(0x00FD, &d)
}

/// A FORMULA cell whose cached value is `value`, with formula tokens `rgce`.
pub fn formula(row: u16, col: u16, value: f64, rgce: &[u8]) -> Vec<u8> {
    let mut d = Vec::new();
    d.extend(row.to_le_bytes());
    d.extend(col.to_le_bytes());
    d.extend(0u16.to_le_bytes());
    d.extend(value.to_le_bytes());
    d.extend(0u16.to_le_bytes()); // flags
    d.extend(0u32.to_le_bytes()); // chn
    d.extend((rgce.len() as u16).to_le_bytes());
    d.extend(rgce);
    record(0x0006, &d)
}

/// A DIMENSION record: rows `first..last` (exclusive) by columns `first..last`.
pub fn dimension(rows: (u32, u32), cols: (u16, u16)) -> Vec<u8> {
    let mut d = Vec::new();
    d.extend(rows.0.to_le_bytes());
    d.extend(rows.1.to_le_bytes());
    d.extend(cols.0.to_le_bytes());
    d.extend(cols.1.to_le_bytes());
    d.extend(0u16.to_le_bytes());
    record(0x0200, &d)
}

/// A shared string table of `strings` (Latin-1 text, one byte a character),
/// split into CONTINUE records as Excel does.
pub fn sst(strings: &[String]) -> Vec<u8> {
    let mut body = Vec::new();
    body.extend((strings.len() as u32).to_le_bytes());
    body.extend((strings.len() as u32).to_le_bytes());
    let mut out = Vec::new();
    let mut typ = 0x00FCu16;
    for s in strings {
        let head_room = 8224 - body.len();
        if head_room < 4 {
            out.extend(record(typ, &body));
            typ = 0x003C;
            body.clear();
        }
        body.extend((s.len() as u16).to_le_bytes());
        body.push(0); // one byte a character
        let mut chars = s.as_bytes();
        loop {
            let room = 8224 - body.len();
            let take = room.min(chars.len());
            body.extend(&chars[..take]);
            chars = &chars[take..];
            if chars.is_empty() {
                break;
            }
            out.extend(record(typ, &body));
            typ = 0x003C;
            body.clear();
            body.push(0); // a continued string repeats its flags
        }
    }
    out.extend(record(typ, &body));
    out
}

/// A BIFF8 workbook stream: globals (with `globals` records, such as an
/// SST, before the end), then one sheet per entry of `sheets`, each the
/// records between its BOF and EOF.
pub fn workbook(globals: &[u8], sheets: &[(&str, Vec<u8>)]) -> Vec<u8> {
    let bound = |pos: u32, name: &str| {
        let mut d = Vec::new();
        d.extend(pos.to_le_bytes());
        d.push(0);
        d.push(0);
        d.push(name.len() as u8);
        d.push(0);
        d.extend(name.as_bytes());
        record(0x0085, &d)
    };
    let mut head = bof(0x0005);
    head.extend(record(0x0042, &1200u16.to_le_bytes()));
    let bounds_len: usize = sheets.iter().map(|(n, _)| bound(0, n).len()).sum();
    let mut pos = head.len() + bounds_len + globals.len() + eof().len();
    let mut out = head;
    for (name, body) in sheets {
        out.extend(bound(pos as u32, name));
        pos += bof(0x0010).len() + body.len() + eof().len();
    }
    out.extend(globals);
    out.extend(eof());
    for (_, body) in sheets {
        out.extend(bof(0x0010));
        out.extend(body);
        out.extend(eof());
    }
    out
}

fn dir_entry(name: &str, kind: u8, child: u32, start: u32, size: u32) -> [u8; 128] {
    let mut e = [0u8; 128];
    let units: Vec<u16> = name.encode_utf16().chain([0]).collect();
    for (i, u) in units.iter().enumerate() {
        e[i * 2..i * 2 + 2].copy_from_slice(&u.to_le_bytes());
    }
    e[64..66].copy_from_slice(&((units.len() * 2) as u16).to_le_bytes());
    e[66] = kind;
    e[67] = 1;
    e[68..72].copy_from_slice(&NOSTREAM.to_le_bytes());
    e[72..76].copy_from_slice(&NOSTREAM.to_le_bytes());
    e[76..80].copy_from_slice(&child.to_le_bytes());
    e[116..120].copy_from_slice(&start.to_le_bytes());
    e[120..124].copy_from_slice(&size.to_le_bytes());
    e
}

/// How the compound file around the stream is laid out.
#[derive(Clone, Copy, Default)]
pub struct Layout {
    /// The stream size the directory declares, instead of the real one.
    pub declared_len: Option<u32>,
    /// Make the stream's last sector point back to its first.
    pub looping: bool,
    /// Keep a stream under 4,096 bytes in the mini stream, as its size
    /// says, instead of padding it.
    pub mini: bool,
}

/// An OLE compound file holding `stream` as its `Workbook` (padded to
/// 4,096 bytes, so it lives in ordinary sectors).
pub fn compound(stream: &[u8], layout: Layout) -> Vec<u8> {
    if layout.mini && stream.len() < 4096 {
        return compound_mini(stream);
    }
    let mut stream = stream.to_vec();
    if stream.len() < 4096 {
        stream.resize(4096, 0);
    }
    let n = stream.len().div_ceil(512);
    // FAT sectors come first, then the directory, then the stream.
    let mut fat_sectors = 1;
    while fat_sectors * 128 < fat_sectors + 1 + n {
        fat_sectors += 1;
    }
    assert!(fat_sectors <= 109, "the test file is too large");
    let dir = fat_sectors as u32;
    let first = dir + 1;
    let mut fat = vec![FREESECT; fat_sectors * 128];
    for s in fat.iter_mut().take(fat_sectors) {
        *s = FATSECT;
    }
    fat[dir as usize] = ENDOFCHAIN;
    for i in 0..n {
        let s = first as usize + i;
        fat[s] = if i + 1 == n {
            if layout.looping { first } else { ENDOFCHAIN }
        } else {
            s as u32 + 1
        };
    }
    let mut header = vec![0u8; 512];
    header[..8].copy_from_slice(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]);
    header[24..26].copy_from_slice(&0x003Eu16.to_le_bytes());
    header[26..28].copy_from_slice(&3u16.to_le_bytes());
    header[28..30].copy_from_slice(&0xFFFEu16.to_le_bytes());
    header[30..32].copy_from_slice(&9u16.to_le_bytes());
    header[32..34].copy_from_slice(&6u16.to_le_bytes());
    header[44..48].copy_from_slice(&(fat_sectors as u32).to_le_bytes());
    header[48..52].copy_from_slice(&dir.to_le_bytes());
    header[56..60].copy_from_slice(&4096u32.to_le_bytes());
    header[60..64].copy_from_slice(&ENDOFCHAIN.to_le_bytes());
    header[68..72].copy_from_slice(&ENDOFCHAIN.to_le_bytes());
    for i in 0..109 {
        let v = if i < fat_sectors { i as u32 } else { FREESECT };
        header[76 + i * 4..80 + i * 4].copy_from_slice(&v.to_le_bytes());
    }
    let mut out = header;
    for v in fat {
        out.extend(v.to_le_bytes());
    }
    let size = layout.declared_len.unwrap_or(stream.len() as u32);
    out.extend(dir_entry("Root Entry", 5, 1, ENDOFCHAIN, 0));
    out.extend(dir_entry("Workbook", 2, NOSTREAM, first, size));
    out.extend([0u8; 256]);
    stream.resize(n * 512, 0);
    out.extend(stream);
    out
}

/// A compound file with `stream` (under 4,096 bytes) as its `Workbook`, in
/// 64-byte mini sectors: sector 0 the allocation table, 1 the directory, 2
/// the mini allocation table, then the mini stream's container.
fn compound_mini(stream: &[u8]) -> Vec<u8> {
    let minis = stream.len().div_ceil(64);
    let container = (minis * 64).div_ceil(512);
    let mut fat = vec![FREESECT; 128];
    fat[0] = FATSECT;
    fat[1] = ENDOFCHAIN;
    fat[2] = ENDOFCHAIN;
    for i in 0..container {
        fat[3 + i] = if i + 1 == container {
            ENDOFCHAIN
        } else {
            4 + i as u32
        };
    }
    let mut mini_fat = vec![FREESECT; 128];
    for (i, m) in mini_fat.iter_mut().enumerate().take(minis) {
        *m = if i + 1 == minis {
            ENDOFCHAIN
        } else {
            i as u32 + 1
        };
    }
    let mut header = vec![0u8; 512];
    header[..8].copy_from_slice(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]);
    header[24..26].copy_from_slice(&0x003Eu16.to_le_bytes());
    header[26..28].copy_from_slice(&3u16.to_le_bytes());
    header[28..30].copy_from_slice(&0xFFFEu16.to_le_bytes());
    header[30..32].copy_from_slice(&9u16.to_le_bytes());
    header[32..34].copy_from_slice(&6u16.to_le_bytes());
    header[44..48].copy_from_slice(&1u32.to_le_bytes());
    header[48..52].copy_from_slice(&1u32.to_le_bytes());
    header[56..60].copy_from_slice(&4096u32.to_le_bytes());
    header[60..64].copy_from_slice(&2u32.to_le_bytes());
    header[64..68].copy_from_slice(&1u32.to_le_bytes());
    header[68..72].copy_from_slice(&ENDOFCHAIN.to_le_bytes());
    for i in 0..109 {
        let v = if i == 0 { 0 } else { FREESECT };
        header[76 + i * 4..80 + i * 4].copy_from_slice(&v.to_le_bytes());
    }
    let mut out = header;
    for v in fat {
        out.extend(v.to_le_bytes());
    }
    out.extend(dir_entry("Root Entry", 5, 1, 3, (minis * 64) as u32));
    out.extend(dir_entry("Workbook", 2, NOSTREAM, 0, stream.len() as u32));
    out.extend([0u8; 256]);
    for v in mini_fat {
        out.extend(v.to_le_bytes());
    }
    let mut body = stream.to_vec();
    body.resize(container * 512, 0);
    out.extend(body);
    out
}

/// A workbook of one sheet, "Actions", holding `cells` (records).
pub fn one_sheet(cells: Vec<u8>) -> Vec<u8> {
    compound(&workbook(&[], &[("Actions", cells)]), Layout::default())
}
