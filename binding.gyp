{
  "targets": [
    {
      "target_name": "rumpkit",
      "type": "none",
      "actions": [
        {
          "action_name": "cmake",
          "inputs": ["CMakeLists.txt"],
          "outputs": ["<(PRODUCT_DIR)/rumpkit.node"],
          "action": ["node", "scripts/build-native.mjs", "--out", "<(PRODUCT_DIR)"]
        }
      ]
    }
  ]
}
