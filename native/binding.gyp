{
  "targets": [
    {
      "target_name": "megamirror_native",
      "sources": ["megamirror_native.c", "list_folder.c", "copy_file.c", "attributes.c", "cbc_mac.c", "aes_ctr.c"],
      "cflags": ["-O2", "-Wall", "-Wextra", "-std=gnu11"],
      "defines": ["NAPI_VERSION=8"]
    }
  ]
}
