/* An empty ICU common-data package, as ICU's own "stubdata" library builds it.
 *
 * kiosk.spec compiles this into the frozen build's libicudata.so.73 in place of the
 * 32 MB one in the PySide6 wheel. Qt links ICU but the kiosk uses none of what needs
 * ICU's data: collation (QCollator), legacy text codecs (QStringConverter beyond UTF),
 * ICU time-zone names. Case mapping and the UTF converters are built into libicuuc, and
 * Qt's text layout and QLocale use Qt's own tables. With an empty package ICU looks for
 * a data file under ICU_DATA and, finding none, reports an error to the rare caller.
 * The symbol name carries ICU's major version: keep it in step with the wheel's ICU.
 */
/* no headers, no libc: builds with a bare `cc -shared -nostdlib` */
typedef unsigned char uint8_t;
typedef unsigned short uint16_t;
typedef unsigned int uint32_t;

typedef struct {
    uint16_t size;
    uint16_t reserved;
    uint8_t isBigEndian;
    uint8_t charsetFamily;
    uint8_t sizeofUChar;
    uint8_t reservedByte;
    uint8_t dataFormat[4];
    uint8_t formatVersion[4];
    uint8_t dataVersion[4];
} UDataInfo;

typedef struct {
    uint16_t headerSize;
    uint8_t magic1;
    uint8_t magic2;
    UDataInfo info;
    char padding[8];
    uint32_t count; /* no entries */
    uint32_t reserved;
    uint32_t toc[4];
} ICU_Data_Header;

#ifndef ICU_DATA_SYMBOL
#define ICU_DATA_SYMBOL icudt73_dat
#endif

__attribute__((visibility("default"))) const ICU_Data_Header ICU_DATA_SYMBOL = {
    32, 0xda, 0x27,
    {sizeof(UDataInfo), 0, 0 /* little endian */, 0 /* ASCII family */, 2 /* UChar */, 0,
     {0x54, 0x6f, 0x43, 0x50} /* "ToCP" */, {1, 0, 0, 0}, {0, 0, 0, 0}},
    {0}, 0, 0, {0, 0, 0, 0}
};
